// The CPU rewrite of stride-1 ConvTranspose as Conv with the swapped, flipped kernel: same values as
// onnxruntime's ConvTranspose for symmetric and one-sided pads and 1×1 kernels; strided ones untouched.
import { expect, it } from 'vitest';
import { createGraph } from '../../src/engine/graph/index';
import { convTranspose } from '../../src/engine/graph/ops/index';
import { convTransposeAsConv } from '../../src/engine/runtime/conv-transpose-as-conv';
import { createNodeSession } from '../../src/engine/runtime/node';
import { asF32, f32 } from '../../src/engine/runtime/tensor';
import { Rng } from '../../src/engine/sd/random';
import { relErr } from '../helpers/fixture';

const rng = new Rng(3);

function graph(k: number, pads: number[], strides = [1, 1], weights = rng.normals(3 * 4 * k * k)) {
  const g = createGraph('ct');
  const x = g.input('x', 'float32', [2, 3, 6, 5]);
  const w = g.constant('float32', [3, 4, k, k], weights);
  g.output(convTranspose(x, w, { pads, strides }), 'y');
  return g;
}

it.each([
  [3, [1, 1, 1, 1]],
  [3, [0, 0, 1, 1]],
  [3, [0, 1, 2, 0]],
  [1, [0, 0, 0, 0]],
])('k %i, pads %j: the rewritten Conv gives ConvTranspose values', async (k, pads) => {
  const x = f32([2, 3, 6, 5], rng.normals(180));
  const weights = rng.normals(3 * 4 * k * k);
  const run = async (rewrite: boolean) => {
    const g = graph(k, pads, [1, 1], weights);
    if (rewrite) {
      expect(convTransposeAsConv(g)).toBe(1);
      expect(g.nodes.map((n) => n.op)).toEqual(['Transpose', 'Slice', 'Conv', 'Identity']);
    }
    const s = await createNodeSession(g, { asBuilt: true });
    try {
      return asF32((await s.run({ x })).y);
    } finally {
      await s.release();
    }
  };
  const want = await run(false);
  const got = await run(true);
  expect(got.length).toBe(want.length);
  expect(relErr(got, want)).toBeLessThan(1e-6);
});

it('leaves strided ConvTranspose alone', () => {
  const g = graph(3, [1, 1, 1, 1], [2, 2]);
  expect(convTransposeAsConv(g)).toBe(0);
  expect(g.nodes[0].op).toBe('ConvTranspose');
});
