// Every VJP rule of the op table against central differences. Cases run in float64 where onnxruntime's
// CPU provider has a double kernel; Erf, Conv, ConvTranspose, InstanceNormalization and Resize have
// none, so they run in float32 (the linear ones with a large step, which only shrinks rounding error).
import { afterAll, describe, expect, it } from 'vitest';
import {
  add, cast, clamp, concat, conv, convTranspose, cos, definedOps, div, erf, exp, expand, gather, gatherElements, gemmTransB,
  identity, instanceNorm, layerNorm, log, matmul, mul, neg, opDef, pad, pow, reciprocal, reduceMean, reduceSum,
  reshape, scatterAdd, sdpa, sigmoid, sin, slice, softmax, sqrt, sub, tanh, tensorConst, transpose, upsampleNearest,
  type Value,
} from '../../src/engine/graph/index';
import { loraUpdate } from './blocks';
import { fdError, input, uniform, type FdCase } from './fd';

const x234 = input([2, 3, 4]);
const positive = (shape: number[]) => input(shape, [0.5, 1.5]);
const f32 = (c: FdCase, step = 1): FdCase => ({ ...c, dtype: 'float32', step });
const ints = (x: Value, values: number[], shape = [values.length]) => tensorConst(x.graph, 'int64', shape, values);
const randomConst = (like: Value, shape: number[], seed: number) =>
  tensorConst(like.graph, like.dtype, shape, uniform(shape.reduce((a, b) => a * b, 1), seed));

const cases: Record<string, FdCase[]> = {
  Add: [
    { inputs: [x234, input([4])], f: add },
    { inputs: [x234, input([3, 1])], f: add },
  ],
  Sub: [
    { inputs: [x234, input([3, 1])], f: sub },
    { inputs: [input([4]), x234], f: sub },
  ],
  Mul: [
    { inputs: [x234, input([3, 1])], f: mul },
    { inputs: [input([1, 4]), x234], f: mul },
  ],
  Div: [{ inputs: [x234, positive([3, 1])], f: div }],
  Pow: [
    { inputs: [positive([2, 3])], f: (x) => pow(x, 3) },
    { inputs: [positive([2, 3])], f: (x) => pow(x, -0.5) },
  ],
  Neg: [{ inputs: [x234], f: neg }],
  Sigmoid: [{ inputs: [input([2, 3], [-3, 3])], f: sigmoid }],
  Exp: [{ inputs: [x234], f: exp }],
  Log: [{ inputs: [positive([2, 3])], f: log }],
  Sqrt: [{ inputs: [positive([2, 3])], f: sqrt }],
  Reciprocal: [{ inputs: [positive([2, 3])], f: reciprocal }],
  Erf: [f32({ inputs: [input([2, 3], [-2, 2])], f: erf }, 1e-2)],
  Cos: [{ inputs: [input([2, 3], [-3, 3])], f: cos }],
  Sin: [{ inputs: [input([2, 3], [-3, 3])], f: sin }],
  Tanh: [{ inputs: [input([2, 3], [-2, 2])], f: tanh }],
  Identity: [{ inputs: [x234], f: identity }],
  Cast: [
    { inputs: [input([2, 3], undefined, 'float32')], f: (x) => sin(cast(x, 'float64')), step: 1e-3 },
    { inputs: [input([2, 3])], f: (x) => cast(mul(x, 3), 'float32'), step: 0.5 },
  ],
  Clip: [{ inputs: [x234], f: (x) => clamp(x, -0.5, 0.5) }],
  Reshape: [{ inputs: [x234], f: (x) => reshape(tanh(x), [4, -1]) }],
  Transpose: [
    { inputs: [x234], f: (x) => transpose(x, [2, 0, 1]) },
    { inputs: [x234], f: (x) => x.graph.apply('Transpose', [x])[0] },
  ],
  Concat: [
    { inputs: [input([1, 2, 3, 3]), input([1, 3, 3, 3])], f: (a, b) => concat([a, b], 1) },
    { inputs: [input([2, 3])], f: (x) => concat([x, tanh(x), x], -1) },
  ],
  Slice: [
    // How the LoRA vector is consumed: slices of a flat vector reshaped into A, B and a bias.
    {
      inputs: [input([10])],
      f: (flat) => {
        const w = add(randomConst(flat, [3, 4], 16), loraUpdate(flat, 4, 3));
        return add(matmul(w, randomConst(flat, [4, 2], 17)), reshape(slice(flat, [7], [10], [0]), [3, 1]));
      },
    },
    { inputs: [input([3, 4, 5])], f: (x) => slice(x, [1, -3], [3, 100], [0, 2]) },
  ],
  Pad: [{ inputs: [input([1, 2, 3, 3])], f: (x) => pad(x, [0, 0, 1, 2, 0, 0, 2, 1]) }],
  Expand: [
    { inputs: [input([3, 1])], f: (x) => expand(x, [2, 3, 4]) },
    { inputs: [input([4])], f: (x) => expand(x, [2, 3, 4]) },
  ],
  Gather: [
    { inputs: [input([5, 3])], f: (x) => gather(x, ints(x, [0, 2, 2, -1])) },
    { inputs: [input([2, 5, 3])], f: (x) => gather(x, ints(x, [4, 1, 1, 1], [2, 2]), 1) },
  ],
  GatherElements: [{ inputs: [input([3, 4])], f: (x) => gatherElements(x, ints(x, [0, 3, 3, 3, 1, 2], [3, 2]), 1) }],
  ScatterElements: [
    {
      inputs: [input([3, 4]), input([2, 4])],
      f: (data, upd) => scatterAdd(data, ints(data, [0, 1, 2, 2, 2, 1, 2, 0], [2, 4]), upd, 0),
    },
  ],
  ReduceSum: [
    { inputs: [x234], f: (x) => reduceSum(x, [1]) },
    { inputs: [x234], f: (x) => reduceSum(x, [0, -1], false) },
  ],
  ReduceMean: [
    { inputs: [x234], f: (x) => reduceMean(x, [2]) },
    { inputs: [x234], f: (x) => reduceMean(x, [0, 1], false) },
  ],
  MatMul: [
    { inputs: [input([3, 4]), input([4, 5])], f: matmul },
    { inputs: [input([2, 3, 5, 4]), input([4, 6])], f: matmul },
    { inputs: [input([2, 1, 5, 4]), input([3, 4, 2])], f: matmul },
    { inputs: [input([2, 5, 4]), input([3, 4])], f: (x, w) => matmul(x, transpose(w, [1, 0])) },
  ],
  Gemm: [
    { inputs: [input([5, 4]), input([3, 4]), input([3])], f: gemmTransB },
    { inputs: [input([2, 4]), input([3, 4])], f: (a, b) => gemmTransB(a, b) },
    { inputs: [input([5, 4]), input([4, 3])], f: (a, b) => a.graph.apply('Gemm', [a, b])[0] },
  ],
  Conv: [
    f32({ inputs: [input([1, 2, 6, 6])], f: (x) => conv(x, randomConst(x, [3, 2, 3, 3], 1), null, { strides: [2, 2], pads: [0, 0, 1, 1] }) }),
    f32({ inputs: [input([1, 2, 7, 7])], f: (x) => conv(x, randomConst(x, [3, 2, 3, 3], 2), null, { strides: [2, 2], pads: [0, 0, 1, 1] }) }),
    f32({ inputs: [input([2, 2, 5, 5])], f: (x) => conv(x, randomConst(x, [3, 2, 3, 3], 3), randomConst(x, [3], 4), { pads: [1, 1, 1, 1] }) }),
    f32({ inputs: [input([1, 3, 4, 4])], f: (x) => conv(x, randomConst(x, [2, 3, 1, 1], 5), null) }),
    f32({ inputs: [input([1, 4, 5, 5])], f: (x) => conv(x, randomConst(x, [6, 2, 3, 3], 6), null, { pads: [1, 1, 1, 1], group: 2 }) }),
    f32({ inputs: [input([1, 2, 7, 7])], f: (x) => conv(x, randomConst(x, [2, 2, 3, 3], 7), null, { dilations: [2, 2], pads: [2, 1, 2, 1] }) }),
  ],
  ConvTranspose: [
    f32({ inputs: [input([1, 3, 3, 3])], f: (x) => convTranspose(x, randomConst(x, [3, 2, 3, 3], 8), { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] }) }),
    f32({ inputs: [input([1, 4, 3, 3])], f: (x) => convTranspose(x, randomConst(x, [4, 1, 3, 3], 9), { strides: [2, 2], pads: [0, 0, 1, 1], group: 2 }) }),
  ],
  Softmax: [
    { inputs: [input([2, 3, 5], [-2, 2])], f: (x) => softmax(x, -1) },
    { inputs: [input([2, 3, 5], [-2, 2])], f: (x) => softmax(x, 1) },
  ],
  // The composite attention, lowered (float64 has no fused kernel): 3 query chunks, the last one short;
  // self-attention (q = k = v); and float32, where onnxruntime-node runs it as MultiHeadAttention.
  Attention: [
    { inputs: [input([2, 5, 6]), input([2, 7, 6]), input([2, 7, 4])], f: (q, k, v) => sdpa(q, k, v, 2, 2) },
    { inputs: [input([1, 4, 6])], f: (x) => sdpa(x, x, x, 3, 3) },
    f32({ inputs: [input([1, 6, 8]), input([1, 5, 8]), input([1, 5, 8])], f: (q, k, v) => sdpa(q, k, v, 2) }, 1e-2),
  ],
  InstanceNormalization: [
    f32({ inputs: [input([2, 3, 8])], f: (x) => instanceNorm(x, randomConst(x, [3], 10), randomConst(x, [3], 11), 1e-5) }, 1e-2),
    f32({ inputs: [input([1, 2, 3, 3])], f: (x) => instanceNorm(x, randomConst(x, [2], 12), randomConst(x, [2], 13), 1e-6) }, 1e-2),
  ],
  LayerNormalization: [
    { inputs: [input([2, 3, 6])], f: (x) => layerNorm(x, randomConst(x, [6], 14), randomConst(x, [6], 15), 1e-5) },
  ],
  Resize: [
    f32({ inputs: [input([1, 2, 3, 3])], f: (x) => upsampleNearest(x, 2) }),
    f32({ inputs: [input([2, 1, 2, 3])], f: (x) => upsampleNearest(x, 3) }),
  ],
};

/** Float32 cases with a small step carry finite-difference truncation and rounding error of ~1e-4. */
function tolerance(c: FdCase): number {
  if (c.dtype !== 'float32' && c.inputs.every((i) => i.dtype !== 'float32')) return 1e-7;
  return (c.step ?? 0) >= 0.5 ? 1e-5 : 2e-3;
}

const worst = new Map<string, number>();
afterAll(() => {
  console.log([...worst].map(([op, e]) => `${op.padEnd(22)} ${e.toExponential(2)}`).join('\n'));
});

describe('VJP rules against central differences', () => {
  for (const [op, list] of Object.entries(cases)) {
    it(op, async () => {
      for (const [k, c] of list.entries()) {
        const err = await fdError(c, 17 * k + op.length);
        worst.set(op, Math.max(worst.get(op) ?? 0, err));
        expect(err, `${op} case ${k}`).toBeLessThan(tolerance(c));
      }
    });
  }
});

describe('the op table', () => {
  const ops = definedOps().map((key) => {
    const [domain, op] = key.includes('::') ? key.split('::') : ['', key];
    return { op, def: opDef(op, domain) };
  });

  it('gives every op a VJP rule or a reason it has none', () => {
    expect(ops.filter(({ def }) => !def.vjp && !def.noVjp).map(({ op }) => op)).toEqual([]);
  });

  it('has a finite-difference case for every rule', () => {
    expect(ops.filter(({ op, def }) => def.vjp && !cases[op]).map(({ op }) => op)).toEqual([]);
    expect(Object.keys(cases).filter((op) => !ops.some((o) => o.op === op && o.def.vjp))).toEqual([]);
  });
});
