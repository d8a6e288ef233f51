// Lifting JS numbers into graph constants of a matching dtype.
import { type DType, f32ToF16 } from '../dtype';
import type { Graph, Value } from '../ir';

export function scalar(g: Graph, v: number, dtype: DType = 'float32'): Value {
  return tensorConst(g, dtype, [], [v]);
}

export function tensorConst(g: Graph, dtype: DType, shape: readonly number[], values: readonly number[]): Value {
  switch (dtype) {
    case 'float32':
      return g.constant(dtype, shape, Float32Array.from(values));
    case 'float16':
      return g.constant(dtype, shape, Uint16Array.from(values, f32ToF16));
    case 'float64':
      return g.constant(dtype, shape, Float64Array.from(values));
    case 'int64':
      return g.constant(dtype, shape, BigInt64Array.from(values, (x) => BigInt(x)));
    case 'int32':
      return g.constant(dtype, shape, Int32Array.from(values));
    case 'bool':
      return g.constant(dtype, shape, Uint8Array.from(values));
  }
}

export const int64s = (g: Graph, values: readonly number[]): Value => tensorConst(g, 'int64', [values.length], values);

/** A number becomes a scalar of `like`'s dtype; a Value passes through. */
export const lift = (like: Value, x: Value | number): Value =>
  typeof x === 'number' ? scalar(like.graph, x, like.dtype) : x;
