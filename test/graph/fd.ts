// Finite-difference checks of gradients: f(x…) = Σ r ⊙ op(x…) with a fixed random r, ∂f/∂x from `grad`
// against central differences, everything run in onnxruntime-node.
import { createGraph, grad, mul, reduceSum, tensorConst, type DType, type Value } from '../../src/engine/graph/index';
import { createNodeSession } from '../../src/engine/runtime/node';
import type { HostTensor } from '../../src/engine/runtime/tensor';

/** Deterministic uniform numbers in [lo, hi) (mulberry32). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  });
}

export interface FdInput {
  shape: number[];
  /** Defaults to the case's dtype. */
  dtype?: DType;
  /** Range of the random values, [-1, 1) by default (positive ranges for log, sqrt, …). */
  range?: [number, number];
}

export interface FdCase {
  inputs: FdInput[];
  f: (...xs: Value[]) => Value;
  /** float64 unless the op has no double kernel in onnxruntime's CPU provider. */
  dtype?: DType;
  /** Finite-difference step; large for linear functions in float32, where it only shrinks rounding error. */
  step?: number;
}

export const input = (shape: number[], range?: [number, number], dtype?: DType): FdInput => ({ shape, range, dtype });

export const sumAll = (v: Value): Value => (v.shape.length ? reduceSum(v, v.shape.map((_, i) => i), false) : v);

const hostOf = (dtype: DType, shape: readonly number[], data: Float32Array | Float64Array): HostTensor => ({
  dtype,
  shape,
  data: dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data),
});

const toArray = (dtype: DType, values: number[]): Float32Array | Float64Array =>
  dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);

/**
 * Max over the inputs of max |analytic − numeric| / max |numeric| (the fixtures' error measure). Throws
 * when a numeric gradient is all zero: such a case would check nothing.
 */
export async function fdError(c: FdCase, seed = 1): Promise<number> {
  const dtype = c.dtype ?? 'float64';
  const g = createGraph('fd');
  const xs = c.inputs.map((inp, i) => g.input(`x${i}`, inp.dtype ?? dtype, inp.shape));
  const y = c.f(...xs);
  const r = tensorConst(g, y.dtype, y.shape, uniform(y.shape.reduce((a, b) => a * b, 1), seed + 1000));
  const loss = sumAll(mul(y, r));
  const grads = grad(loss, xs);
  g.output(loss, 'f');
  grads.forEach((gi, i) => g.output(gi, `g${i}`));
  const session = await createNodeSession(g);
  const values = c.inputs.map((inp, i) => {
    const [lo, hi] = inp.range ?? [-1, 1];
    return toArray(xs[i].dtype, uniform(xs[i].shape.reduce((a, b) => a * b, 1), seed + i, lo, hi));
  });
  const run = async (outs: string[]) => {
    const feeds = Object.fromEntries(xs.map((x, i) => [x.name, hostOf(x.dtype, x.shape, values[i])]));
    const res = await session.run(feeds);
    return outs.map((o) => Array.from(res[o].data as Float32Array | Float64Array));
  };
  const f = async () => (await run(['f']))[0][0];
  const analytic = await run(grads.map((_, i) => `g${i}`));
  const h = c.step ?? (dtype === 'float64' ? 1e-5 : 1e-2);
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = values[i];
    let diff = 0;
    let scale = 0;
    for (let j = 0; j < v.length; j++) {
      const x0 = v[j];
      v[j] = x0 + h;
      const up = v[j]; // as stored: float32 rounds the step
      const fUp = await f();
      v[j] = x0 - h;
      const down = v[j];
      const fDown = await f();
      v[j] = x0;
      const numeric = (fUp - fDown) / (up - down);
      diff = Math.max(diff, Math.abs(analytic[i][j] - numeric));
      scale = Math.max(scale, Math.abs(numeric));
    }
    if (scale === 0) throw new Error(`fd: the gradient w.r.t. input ${i} is zero, the case checks nothing`);
    worst = Math.max(worst, diff / scale);
  }
  await session.release();
  return worst;
}
