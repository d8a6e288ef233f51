// The CLIP text encoder graph against transformers CLIPTextModel outputs recorded in the tiny-sd-a fixture.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGraph } from '../../src/engine/graph/index';
import { parseClipTextConfig, type ClipTextConfig } from '../../src/engine/io/config';
import type { SafetensorsFile } from '../../src/engine/io/safetensors';
import { buildClipText } from '../../src/engine/models/clip';
import { Params, type Precision, type TensorSource } from '../../src/engine/models/params';
import { createNodeSession } from '../../src/engine/runtime/node';
import { asF32, type HostTensor } from '../../src/engine/runtime/tensor';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';
import { tamper } from '../helpers/tampered-source';

const CASES = [
  ['prompts', 'clip.ids', 'clip.last_hidden_state'],
  ['empty prompt', 'clip.uncond_ids', 'clip.uncond_last_hidden_state'],
] as const;

let cfg: ClipTextConfig;
let weights: SafetensorsFile;
let ref: SafetensorsFile;

beforeAll(async () => {
  cfg = parseClipTextConfig(JSON.parse(readFileSync(fixturePath('text_encoder', 'config.json'), 'utf8')));
  weights = await openFixture('text_encoder', 'model.safetensors');
  ref = await openFixture('reference.safetensors');
});

async function encode(ids: HostTensor, src: TensorSource = weights, precision?: Precision): Promise<HostTensor> {
  const graph = buildClipText(cfg, new Params(createGraph('clip'), src, precision), { batch: ids.shape[0] });
  const session = await createNodeSession(graph);
  try {
    return (await session.run({ input_ids: ids })).last_hidden_state;
  } finally {
    await session.release();
  }
}

describe('CLIP text encoder', () => {
  it.each(CASES)('matches last_hidden_state for the %s in float32', async (_, idsKey, outKey) => {
    const out = await encode(await tensor(ref, idsKey));
    expect(out.shape).toEqual(ref.info(outKey).shape);
    expect(relErr(asF32(out), await ref.readFloat32(outKey))).toBeLessThan(1e-4);
  });

  it.each([
    ['float16 compute', { compute: 'float16', storage: 'float16' }],
    ['float16 storage, float32 compute', { compute: 'float32', storage: 'float16' }],
  ] as const)('stays within 2e-2 with %s', async (_, precision) => {
    for (const [, idsKey, outKey] of CASES) {
      const out = await encode(await tensor(ref, idsKey), weights, precision);
      expect(relErr(asF32(out), await ref.readFloat32(outKey))).toBeLessThan(2e-2);
    }
  });

  it('is causal: a later token does not change earlier positions', async () => {
    const ids = await tensor(ref, 'clip.uncond_ids');
    const changed = BigInt64Array.from(ids.data as BigInt64Array);
    const at = 5;
    changed[at] = 320n;
    const [a, b] = [asF32(await encode(ids)), asF32(await encode({ ...ids, data: changed }))];
    const width = cfg.hiddenSize;
    expect(relErr(b.subarray(0, at * width), a.subarray(0, at * width))).toBeLessThan(1e-6);
    expect(relErr(b.subarray(at * width), a.subarray(at * width))).toBeGreaterThan(1e-3);
  });
});

describe('CLIP weight checks', () => {
  const build = (src: TensorSource) => buildClipText(cfg, new Params(createGraph('clip'), src), { batch: 1 });

  it('names a missing tensor', () => {
    const key = 'text_model.encoder.layers.1.mlp.fc2.bias';
    expect(() => build(tamper(weights, { drop: [key] }))).toThrow(`missing tensor ${key}`);
  });

  it('names a tensor of the wrong shape with both shapes', () => {
    const key = 'text_model.embeddings.position_embedding.weight';
    expect(() => build(tamper(weights, { shapes: { [key]: [76, 32] } }))).toThrow(
      /text_model\.embeddings\.position_embedding\.weight.*\[76,32\].*\[77,32\]/,
    );
  });
});
