// The autodiff driver: fan-out accumulation, pruning, several inputs, model-like blocks, double backward.
import { describe, expect, it } from 'vitest';
import {
  add, cast, conv, cos, createGraph, defineOp, div, grad, layerNorm, matmul, mul, pow, reshape, sigmoid, sin, softmax,
  tanh, tensorConst, transpose, vjp, type Value,
} from '../../src/engine/graph/index';
import { attention, conv2d, groupNorm, linear, silu } from '../../src/engine/models/layers';
import { FP32, Params, type Precision } from '../../src/engine/models/params';
import { createNodeSession } from '../../src/engine/runtime/node';
import { f32, f64, type HostTensor } from '../../src/engine/runtime/tensor';
import { relErr } from '../helpers/fixture';
import { loraUpdate, randomSource } from './blocks';
import { fdError, input, sumAll, uniform } from './fd';

const konst = (like: Value, shape: readonly number[], seed: number) =>
  tensorConst(like.graph, like.dtype, shape, uniform(shape.reduce((a, b) => a * b, 1), seed));

async function run(g: ReturnType<typeof createGraph>, feeds: Record<string, HostTensor>): Promise<Record<string, number[]>> {
  const s = await createNodeSession(g);
  const out = await s.run(feeds);
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data as Float64Array)]));
}

describe('vjp', () => {
  it('accumulates the gradients of a value used several times', async () => {
    const g = createGraph('fanout');
    const x = g.input('x', 'float64', [5]);
    const y = add(mul(x, x), mul(sin(x), x)); // x feeds four inputs
    const [dx] = vjp([y], [tensorConst(g, 'float64', [5], [1, 1, 1, 1, 1])], [x]);
    g.output(dx, 'dx');
    const xs = [-1.5, -0.3, 0, 0.7, 2];
    const { dx: got } = await run(g, { x: f64([5], xs) });
    xs.forEach((v, i) => expect(got[i]).toBeCloseTo(2 * v + Math.cos(v) * v + Math.sin(v), 12));
  });

  /** A conv whose weight goes through a transpose and a scale, plus a timestep embedding of `t`. */
  const convWithSidePaths = (x: Value, t: Value) => {
    const w = mul(transpose(konst(x, [2, 3, 3, 3], 1), [1, 0, 2, 3]), 2);
    const temb = reshape(sin(mul(t, konst(x, [3], 2))), [1, 3, 1, 1]);
    return add(conv(x, w, konst(x, [3], 3), { pads: [1, 1, 1, 1] }), temb);
  };

  it('differentiates only the nodes between wrt and the outputs', async () => {
    const g = createGraph('prune');
    const x = g.input('x', 'float32', [1, 2, 5, 5]);
    const t = g.input('t', 'float32', [1]);
    const y = convWithSidePaths(x, t);
    const loss = sumAll(mul(y, konst(y, y.shape, 4)));
    const before = g.nodes.length;
    grad(loss, [x]);
    // Seed spread over y, times r, then the transposed conv: nothing for the weight or the embedding.
    expect(g.nodes.slice(before).map((n) => n.op)).toEqual(['Reshape', 'Expand', 'Mul', 'ConvTranspose']);
    const f = (v: Value) => convWithSidePaths(v, tensorConst(v.graph, 'float32', [1], [0.3]));
    expect(await fdError({ inputs: [input([1, 2, 5, 5])], f, dtype: 'float32', step: 1 })).toBeLessThan(1e-5);
  });

  it('returns zeros for inputs the outputs do not depend on', async () => {
    const g = createGraph('zeros');
    const x = g.input('x', 'float64', [2]);
    const z = g.input('z', 'float64', [2, 3]);
    const [dx, dz] = grad(sumAll(mul(x, x)), [x, z]);
    g.output(dx, 'dx');
    g.output(dz, 'dz');
    const out = await run(g, { x: f64([2], [1.5, -2]), z: f64([2, 3]) });
    expect(out.dx).toEqual([3, -4]);
    expect(out.dz).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('gives the same gradients for two inputs at once as one at a time', async () => {
    const build = (pick: (a: Value, b: Value) => Value[]) => {
      const g = createGraph('two');
      const a = g.input('a', 'float64', [3, 4]);
      const b = g.input('b', 'float64', [4, 2]);
      const loss = sumAll(mul(tanh(matmul(a, b)), konst(a, [3, 2], 6)));
      grad(loss, pick(a, b)).forEach((d, i) => g.output(d, `d${i}`));
      return g;
    };
    const feeds = { a: f64([3, 4], uniform(12, 7)), b: f64([4, 2], uniform(8, 8)) };
    const both = await run(build((a, b) => [a, b]), feeds);
    const onlyA = await run(build((a) => [a]), feeds);
    const onlyB = await run(build((_, b) => [b]), feeds);
    expect(both.d0).toEqual(onlyA.d0);
    expect(both.d1).toEqual(onlyB.d0);
  });

  it('treats a wrt that is itself an output as the identity', async () => {
    const g = createGraph('self');
    const x = g.input('x', 'float64', [2]);
    const c = g.input('c', 'float64', [2]);
    const [dx] = vjp([x, mul(x, 3)], [c, c], [x]);
    g.output(dx, 'dx');
    expect((await run(g, { x: f64([2], [1, 2]), c: f64([2], [0.5, -1]) })).dx).toEqual([2, -4]);
  });
});

describe('errors', () => {
  defineOp('NoRuleForTest', { infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }] });
  defineOp('NoVjpForTest', { infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }], noVjp: 'a stated reason' });

  it('names the op that has no rule, and its reason', () => {
    const g = createGraph('norule');
    const x = g.input('x', 'float32', [2]);
    expect(() => grad(sumAll(g.apply('NoRuleForTest', [x])[0]), [x])).toThrow(/NoRuleForTest/);
    expect(() => grad(sumAll(g.apply('NoVjpForTest', [x])[0]), [x])).toThrow(/NoVjpForTest.*a stated reason/);
  });

  it('refuses weight gradients of convolutions and exponent gradients of Pow', () => {
    const g = createGraph('refuse');
    const x = g.input('x', 'float32', [1, 2, 4, 4]);
    const w = g.input('w', 'float32', [3, 2, 3, 3]);
    const p = g.input('p', 'float32', []);
    expect(() => grad(sumAll(conv(x, w, null)), [w])).toThrow(/Conv: gradient w.r.t. the weight/);
    expect(() => grad(sumAll(pow(x, p)), [p])).toThrow(/Pow: gradient w.r.t. the exponent/);
  });

  it('checks cotangents and wrt types', () => {
    const g = createGraph('types');
    const x = g.input('x', 'float32', [2, 3]);
    const i = g.input('i', 'int64', [2]);
    expect(() => vjp([x], [g.input('c', 'float32', [3, 2])], [x])).toThrow(/cotangent/);
    expect(() => grad(sumAll(x), [i])).toThrow(/cannot differentiate/);
    expect(() => grad(x, [x])).toThrow(/one value/);
  });
});

describe('model-like blocks', () => {
  const C = 4;
  const shapes: Record<string, number[]> = {
    'norm.weight': [C], 'norm.bias': [C],
    'to_q.weight': [C, C], 'to_k.weight': [C, C], 'to_v.weight': [C, C],
    'to_out.weight': [C, C], 'to_out.bias': [C],
    'conv.weight': [C, C, 3, 3], 'conv.bias': [C],
  };

  /** GroupNorm → self-attention with the rank-1 LoRA on to_q and to_v (4·C numbers) → residual → SiLU → conv. */
  function block(x: Value, lora: Value, precision: Precision = FP32): Value {
    const p = new Params(x.graph, randomSource(shapes), precision);
    const [n, , h, w] = x.shape;
    const tokens = transpose(reshape(groupNorm(p, 'norm', x, 2, 1e-6), [n, C, h * w]), [0, 2, 1]);
    const loraProj = (name: string, offset: number) =>
      add(linear(p, name, tokens, C, C, false), matmul(tokens, transpose(loraUpdate(lora, C, C, offset), [1, 0])));
    const attn = attention(loraProj('to_q', 0), linear(p, 'to_k', tokens, C, C, false), loraProj('to_v', 2 * C), 2);
    const back = reshape(transpose(linear(p, 'to_out', attn, C, C), [0, 2, 1]), [n, C, h, w]);
    return conv2d(p, 'conv', silu(add(x, back)), C, C, 3);
  }

  it('differentiates an attention + GroupNorm block w.r.t. latents and the LoRA vector at once', async () => {
    const err = await fdError({
      inputs: [input([1, C, 3, 3]), input([4 * C], [-0.3, 0.3])],
      f: (x, lora) => block(x, lora),
      dtype: 'float32',
      step: 3e-3, // truncation error ∝ step² above this, float32 rounding below
    });
    expect(err).toBeLessThan(1e-3);
  });

  it('builds float16 gradient graphs that agree with float32', async () => {
    const grads = async (dtype: 'float32' | 'float16') => {
      const g = createGraph(dtype);
      const x = g.input('x', 'float32', [1, C, 3, 3]);
      const lora = g.input('lora', 'float32', [4 * C]);
      const xc = cast(x, dtype);
      const y = block(xc, cast(lora, dtype), { compute: dtype, storage: dtype });
      const loss = sumAll(mul(y, konst(y, y.shape, 31)));
      expect(grad(loss, [xc])[0].dtype).toBe(dtype);
      const [dx, dLora] = grad(loss, [x, lora]);
      g.output(dx, 'dx');
      g.output(dLora, 'dLora');
      return run(g, { x: f32([1, C, 3, 3], uniform(36, 32)), lora: f32([4 * C], uniform(16, 33, -0.3, 0.3)) });
    };
    const [full, half] = [await grads('float32'), await grads('float16')];
    expect(relErr(half.dx, full.dx)).toBeLessThan(1e-2);
    expect(relErr(half.dLora, full.dLora)).toBeLessThan(1e-2);
  });

  /** A small MLP with most of the elementwise and normalization ops on the way. */
  function mlp(x: Value): Value {
    const h = tanh(add(matmul(x, transpose(konst(x, [5, 4], 11), [1, 0])), konst(x, [5], 12)));
    const z = matmul(layerNorm(h, konst(h, [5], 13), konst(h, [5], 14), 1e-5), konst(h, [5, 6], 15));
    return add(softmax(z, -1), div(pow(sigmoid(z), 2), add(mul(cos(z), 0.5), 2)));
  }

  it('differentiates its own VJP graph (double backward) on an MLP', async () => {
    const first = (x: Value, v: Value) => vjp([mlp(x)], [v], [x])[0];
    expect(await fdError({ inputs: [input([3, 4]), input([3, 6])], f: first })).toBeLessThan(1e-7);
  });

  it('gives JVPs through the double-VJP trick', async () => {
    const g = createGraph('jvp');
    const x = g.input('x', 'float64', [3, 4]);
    const u = g.input('u', 'float64', [3, 4]);
    const v = g.input('v', 'float64', [3, 6]);
    const y = mlp(x);
    const [gx] = vjp([y], [v], [x]);
    const [ju] = vjp([gx], [u], [v]);
    g.output(ju, 'ju');
    g.output(y, 'y');
    const xs = uniform(12, 21);
    const us = uniform(12, 22);
    const feeds = (xv: number[]) => ({ x: f64([3, 4], xv), u: f64([3, 4], us), v: f64([3, 6], uniform(18, 23)) });
    const { ju: got } = await run(g, feeds(xs));
    const h = 1e-5;
    const { y: up } = await run(g, feeds(xs.map((xv, i) => xv + h * us[i])));
    const { y: down } = await run(g, feeds(xs.map((xv, i) => xv - h * us[i])));
    const numeric = up.map((a, i) => (a - down[i]) / (2 * h));
    const scale = Math.max(...numeric.map(Math.abs));
    expect(Math.max(...got.map((a, i) => Math.abs(a - numeric[i]))) / scale).toBeLessThan(1e-7);
  });

  it('differentiates the VJP of a GroupNorm → SiLU → conv block (float32)', async () => {
    const first = (x: Value, v: Value) => {
      const p = new Params(x.graph, randomSource(shapes));
      return vjp([conv2d(p, 'conv', silu(groupNorm(p, 'norm', x, 2, 1e-6)), C, C, 3)], [v], [x])[0];
    };
    const err = await fdError({ inputs: [input([1, C, 3, 3]), input([1, C, 3, 3])], f: first, dtype: 'float32', step: 1e-2 });
    expect(err).toBeLessThan(2e-3);
  });
});
