// The UNet graph against diffusers 0.21 UNet2DConditionModel outputs recorded in the tiny-sd-a fixture,
// and the full-size SD 1.5 graph built (not run) from shapes alone.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGraph, exportOnnx } from '../../src/engine/graph/index';
import { parseUNetConfig, type UNetConfig } from '../../src/engine/io/config';
import type { SafetensorsFile } from '../../src/engine/io/safetensors';
import { loraLayout } from '../../src/engine/models/lora';
import { Params, type Precision, type TensorSource } from '../../src/engine/models/params';
import { buildUNet, type UNetOptions } from '../../src/engine/models/unet';
import { createNodeSession } from '../../src/engine/runtime/node';
import { asF32, f32, type HostTensor } from '../../src/engine/runtime/tensor';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';
import { tamper } from '../helpers/tampered-source';
import { SD15_UNET_CONFIG, shapeOnlySource, unetWeightShapes } from '../helpers/unet-shapes';

const SIZE = { batch: 2, height: 16, width: 16 };

let cfg: UNetConfig;
let weights: SafetensorsFile;
let ref: SafetensorsFile;
let pullback: SafetensorsFile;
let inputs: Record<string, HostTensor>;
/** Weights of the fixture space's model `space.coef` (= `pullback.coef`): a LoRA as w2w produces them. */
let theta: HostTensor;
let plain: Float32Array;

async function run(feeds: Record<string, HostTensor>, opts: Partial<UNetOptions> = {}, src: TensorSource = weights, precision?: Precision) {
  const graph = buildUNet(cfg, new Params(createGraph('unet'), src, precision), { ...SIZE, ...opts });
  const session = await createNodeSession(graph);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const eps = async (lora?: HostTensor, precision?: Precision) =>
  asF32((await run(lora ? { ...inputs, lora } : inputs, { lora: !!lora }, weights, precision)).eps);

beforeAll(async () => {
  cfg = parseUNetConfig(JSON.parse(readFileSync(fixturePath('unet', 'config.json'), 'utf8')));
  weights = await openFixture('unet', 'diffusion_pytorch_model.safetensors');
  ref = await openFixture('reference.safetensors');
  pullback = await openFixture('pullback.safetensors');
  inputs = {
    sample: await tensor(ref, 'unet.sample'),
    timestep: await tensor(ref, 'unet.timestep'),
    encoder_hidden_states: await tensor(ref, 'unet.encoder_hidden_states'),
  };
  const t = await ref.readFloat32('space.theta');
  theta = f32([t.length], t);
  plain = await eps();
});

describe('UNet, float32', () => {
  it('matches unet.eps', async () => {
    expect(relErr(plain, await ref.readFloat32('unet.eps'))).toBeLessThan(1e-4);
  });

  it('with a zero LoRA vector equals the UNet without LoRA', async () => {
    const zero = await eps(f32([loraLayout(cfg).size]));
    expect(relErr(zero, plain)).toBe(0);
  });

  it("with the space's LoRA matches the mid-block output pullback.h", async () => {
    const out = await run(
      {
        sample: await tensor(pullback, 'pullback.x_t'),
        timestep: await tensor(pullback, 'pullback.t'),
        encoder_hidden_states: await tensor(pullback, 'pullback.text'),
        lora: theta,
      },
      { batch: 1, lora: true, mid: true },
    );
    expect(out.mid.shape).toEqual([1, 64, 2, 2]);
    expect(relErr(asF32(out.mid), await pullback.readFloat32('pullback.h'))).toBeLessThan(1e-4);
  });

  it("with the space's LoRA reproduces space.coef_loss on both batch elements", async () => {
    const out = await eps(theta);
    const mask = await ref.readFloat32('lora.mask');
    const target = await ref.readFloat32('lora.target');
    let sum = 0;
    for (let i = 0; i < out.length; i++) {
      const m = mask[i % mask.length];
      sum += (m * out[i] - m * target[i]) ** 2;
    }
    const expected = (await ref.readFloat32('space.coef_loss'))[0];
    expect(Math.abs(sum / out.length - expected) / expected).toBeLessThan(1e-4);
  });

  it('with lora.flat matches unet.eps_lora (and the LoRA moves eps)', async () => {
    const flat = await ref.readFloat32('lora.flat');
    const out = await eps(f32([flat.length], flat));
    const expected = await ref.readFloat32('unet.eps_lora');
    expect(relErr(out, expected)).toBeLessThan(1e-4);
    expect(relErr(plain, expected)).toBeGreaterThan(1e-2);
  });
});

describe('UNet, float16', () => {
  // onnxruntime-node's CPU EP accepts float16 graphs but runs Conv, MatMul/Gemm, Instance/LayerNormalization
  // and Softmax by inserting casts to float32 around them; the values still carry float16 rounding.
  it.each([
    ['float16 compute and storage', { compute: 'float16', storage: 'float16' }],
    ['float16 storage, float32 compute', { compute: 'float32', storage: 'float16' }],
  ] as const)('%s stays within 2e-2 of unet.eps', async (_, precision) => {
    const out = await eps(f32([loraLayout(cfg).size]), precision);
    const expected = await ref.readFloat32('unet.eps');
    expect(relErr(out, expected)).toBeLessThan(2e-2);
    expect(relErr(out, plain)).toBeLessThan(2e-2);
  });
});

describe('UNet weight checks', () => {
  const key = 'up_blocks.2.attentions.1.transformer_blocks.0.attn2.to_k.weight';
  const build = (src: TensorSource) => buildUNet(cfg, new Params(createGraph('unet'), src), SIZE);

  it('names a missing tensor', () => {
    expect(() => build(tamper(weights, { drop: [key] }))).toThrow(`missing tensor ${key} in ${weights.name} (tampered)`);
  });

  it('names a tensor with a wrong shape and both shapes', () => {
    expect(() => build(tamper(weights, { shapes: { [key]: [64, 33] } }))).toThrow(
      `tensor ${key} in ${weights.name} (tampered) has shape [64,33], the config implies [64,32]`,
    );
  });

  it('names a weight whose dtype is not a float', () => {
    expect(() => build(tamper(weights, { dtypes: { [key]: 'I64' } }))).toThrow(
      `tensor ${key} in ${weights.name} (tampered) is I64: weights must be F32, F16, BF16`,
    );
  });

  it('rejects a latent size the down path cannot halve three times', () => {
    expect(() => buildUNet(cfg, new Params(createGraph('unet'), weights), { ...SIZE, height: 12 })).toThrow(
      'must be a multiple of 8',
    );
  });
});

describe('full-size SD 1.5 UNet (built and exported, not run)', () => {
  it("writes the fixture's exact weight names and shapes with the shape table used below", () => {
    const shapes = unetWeightShapes(cfg);
    expect([...shapes.keys()].sort()).toEqual(weights.keys().sort());
    for (const [k, s] of shapes) expect([k, [...weights.info(k).shape]]).toEqual([k, s]);
  });

  it.each([
    ['float32', undefined, 4],
    ['float16', { compute: 'float16', storage: 'float16' } as Precision, 2],
  ] as const)('%s, batch 2, 64×64 latents, with LoRA and mid: builds and exports in seconds', (name, precision, bytes) => {
    const sd = parseUNetConfig(SD15_UNET_CONFIG);
    const shapes = unetWeightShapes(sd);
    const t0 = performance.now();
    const graph = buildUNet(sd, new Params(createGraph('unet'), shapeOnlySource('sd15', shapes), precision), {
      batch: 2, height: 64, width: 64, lora: true, mid: true,
    });
    const t1 = performance.now();
    const { model, shards } = exportOnnx(graph);
    const t2 = performance.now();
    console.log(
      `SD 1.5 UNet ${name}: ${graph.nodes.length} nodes, build ${(t1 - t0).toFixed(0)} ms, export ${(t2 - t1).toFixed(0)} ms, ` +
        `model ${(model.length / 1024).toFixed(0)} KiB, ${shards.length} weight shards`,
    );
    expect(graph.inputs.map((v) => [v.name, v.dtype, v.shape])).toEqual([
      ['sample', 'float32', [2, 4, 64, 64]],
      ['timestep', 'int64', [2]],
      ['encoder_hidden_states', 'float32', [2, 77, 768]],
      ['lora', 'float32', [99_648]],
    ]);
    expect(graph.outputs.map((o) => [o.name, o.value.dtype, o.value.shape])).toEqual([
      ['mid', 'float32', [2, 1280, 8, 8]],
      ['eps', 'float32', [2, 4, 64, 64]],
    ]);
    const weightBytes = shards.flatMap((s) => s.tensors).reduce((a, t) => a + t.byteLength, 0);
    expect(weightBytes).toBe(859_520_964 * bytes);
    expect(model.length).toBeLessThan(5 * 2 ** 20);
    expect(t2 - t0).toBeLessThan(5000);
  });
});
