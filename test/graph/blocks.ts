// Small pieces of the real models for gradient tests: the LoRA vector as w2w consumes it, and random
// weights behind the Params interface so the shared layers (linear, groupNorm, attention…) can be used.
import { matmul, mul, numel, reshape, slice, type Value } from '../../src/engine/graph/index';
import { float32ToHalf } from '../../src/engine/io/half';
import type { TensorSource } from '../../src/engine/models/params';
import { uniform } from './fd';

/** 27 · B @ A with A (1, in) and B (out, 1) sliced from a flat vector at `offset`, as w2w's rank-1 LoRA. */
export function loraUpdate(flat: Value, inF: number, outF: number, offset = 0): Value {
  const a = reshape(slice(flat, [offset], [offset + inF], [0]), [1, inF]);
  const b = reshape(slice(flat, [offset + inF], [offset + inF + outF], [0]), [outF, 1]);
  return mul(matmul(b, a), 27);
}

/** Float32 weights of the given shapes, ~U(−0.5, 0.5), norm scales around 1. */
export function randomSource(shapes: Record<string, number[]>): TensorSource {
  const data = new Map(
    Object.entries(shapes).map(([k, s], i) => {
      const v = uniform(numel(s), 100 + i, -0.5, 0.5).map((x) => (/norm.*\.weight$/.test(k) ? 1 + x : x));
      return [k, Float32Array.from(v)];
    }),
  );
  const get = (k: string) => {
    const d = data.get(k);
    if (!d) throw new Error(`random source: no tensor ${k}`);
    return d;
  };
  return {
    name: 'random',
    keys: () => [...data.keys()],
    info: (k) => ({ dtype: 'F32', shape: shapes[k] }),
    readFloat32: async (k) => get(k),
    readFloat16Bits: async (k) => float32ToHalf(get(k)),
  };
}
