// The VAE graphs against diffusers 0.21 AutoencoderKL outputs recorded in the tiny-sd-a fixture.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGraph } from '../../src/engine/graph/index';
import { parseVaeConfig, type VaeConfig } from '../../src/engine/io/config';
import type { SafetensorsFile } from '../../src/engine/io/safetensors';
import { Params, type Precision, type TensorSource } from '../../src/engine/models/params';
import { buildVaeDecoder, buildVaeEncoder } from '../../src/engine/models/vae';
import { createNodeSession } from '../../src/engine/runtime/node';
import { asF32, type HostTensor } from '../../src/engine/runtime/tensor';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';
import { tamper } from '../helpers/tampered-source';

const SIZE = { batch: 1, height: 32, width: 32 };
const FP16: Precision = { compute: 'float16', storage: 'float16' };
const FP16_STORAGE: Precision = { compute: 'float32', storage: 'float16' };

let cfg: VaeConfig;
let weights: SafetensorsFile;
let ref: SafetensorsFile;

beforeAll(async () => {
  cfg = parseVaeConfig(JSON.parse(readFileSync(fixturePath('vae', 'config.json'), 'utf8')));
  weights = await openFixture('vae', 'diffusion_pytorch_model.safetensors');
  ref = await openFixture('reference.safetensors');
});

async function run(
  build: typeof buildVaeEncoder, src: TensorSource, precision: Precision | undefined, feeds: Record<string, HostTensor>,
) {
  const session = await createNodeSession(build(cfg, new Params(createGraph('vae'), src, precision), SIZE));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const encode = async (src: TensorSource = weights, precision?: Precision) =>
  run(buildVaeEncoder, src, precision, { image: await tensor(ref, 'vae.image') });
const decode = async (src: TensorSource = weights, precision?: Precision) =>
  run(buildVaeDecoder, src, precision, { latent: await tensor(ref, 'vae.latent_in') });

const errAgainst = async (actual: HostTensor, key: string) => relErr(asF32(actual), await ref.readFloat32(key));

/** The hub layout before diffusers 0.14: query/key/value/proj_attn instead of to_q/to_k/to_v/to_out.0. */
const LEGACY: Record<string, string> = { to_q: 'query', to_k: 'key', to_v: 'value', 'to_out.0': 'proj_attn' };
const legacyName = (k: string) => k.replace(/(attentions\.0\.)(to_q|to_k|to_v|to_out\.0)\./, (_, a, n) => `${a}${LEGACY[n]}.`);

describe('VAE encoder', () => {
  it('matches the posterior mean and log-variance in float32', async () => {
    const out = await encode();
    expect(out.latent_mean.shape).toEqual([1, 4, 4, 4]);
    expect(await errAgainst(out.latent_mean, 'vae.latent_mean')).toBeLessThan(1e-4);
    expect(await errAgainst(out.latent_logvar, 'vae.latent_logvar')).toBeLessThan(1e-4);
  });

  it.each([
    ['float16 compute', FP16],
    ['float16 storage, float32 compute', FP16_STORAGE],
  ])('stays within 2e-2 with %s', async (_, precision) => {
    const out = await encode(weights, precision);
    expect(await errAgainst(out.latent_mean, 'vae.latent_mean')).toBeLessThan(2e-2);
    expect(await errAgainst(out.latent_logvar, 'vae.latent_logvar')).toBeLessThan(2e-2);
  });

  it('reads the legacy attention names', async () => {
    const legacy = tamper(weights, { rename: legacyName });
    expect(legacy.keys()).toContain('encoder.mid_block.attentions.0.proj_attn.weight');
    const out = await encode(legacy);
    expect(await errAgainst(out.latent_mean, 'vae.latent_mean')).toBeLessThan(1e-4);
  });

  it('clamps the log-variance to [-30, 20] and leaves the mean alone', async () => {
    const latent = cfg.latentChannels;
    const shiftLogvar = (by: number) =>
      tamper(weights, { edit: { 'quant_conv.bias': (b) => b.map((v, i) => (i >= latent ? v + by : v)) } });
    const high = await encode(shiftLogvar(1e3));
    expect(new Set(asF32(high.latent_logvar))).toEqual(new Set([20]));
    expect(await errAgainst(high.latent_mean, 'vae.latent_mean')).toBeLessThan(1e-4);
    const low = await encode(shiftLogvar(-1e3));
    expect(new Set(asF32(low.latent_logvar))).toEqual(new Set([-30]));
  });
});

describe('VAE decoder', () => {
  it('matches the decoded image in float32', async () => {
    const out = await decode();
    expect(out.image.shape).toEqual([1, 3, 32, 32]);
    expect(await errAgainst(out.image, 'vae.decoded')).toBeLessThan(1e-4);
  });

  it.each([
    ['float16 compute', FP16],
    ['float16 storage, float32 compute', FP16_STORAGE],
  ])('stays within 2e-2 with %s', async (_, precision) => {
    expect(await errAgainst((await decode(weights, precision)).image, 'vae.decoded')).toBeLessThan(2e-2);
  });

  it('reads the legacy attention names', async () => {
    const out = await decode(tamper(weights, { rename: legacyName }));
    expect(await errAgainst(out.image, 'vae.decoded')).toBeLessThan(1e-4);
  });
});

describe('VAE weight checks', () => {
  const graph = () => createGraph('vae');

  it('names a missing tensor', () => {
    const key = 'decoder.up_blocks.1.resnets.2.conv2.weight';
    const src = tamper(weights, { drop: [key] });
    expect(() => buildVaeDecoder(cfg, new Params(graph(), src), SIZE)).toThrow(`missing tensor ${key}`);
  });

  it('names a tensor of the wrong shape with both shapes', () => {
    const src = tamper(weights, { shapes: { 'encoder.conv_in.weight': [32, 3, 5, 5] } });
    expect(() => buildVaeEncoder(cfg, new Params(graph(), src), SIZE)).toThrow(
      /encoder\.conv_in\.weight.*\[32,3,5,5\].*\[32,3,3,3\]/,
    );
  });

  it('rejects an image size the encoder cannot halve evenly', () => {
    expect(() => buildVaeEncoder(cfg, new Params(graph(), weights), { ...SIZE, height: 36 })).toThrow(/multiple of 8/);
  });
});
