// Host-side tensors: what the engine passes across session boundaries, workers and files.
import type { DType } from '../graph/dtype';
import { numel } from '../graph/dtype';

export type HostData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array;

export interface HostTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: HostData;
}

export function f32(shape: readonly number[], data?: ArrayLike<number>): HostTensor {
  const n = numel(shape);
  const d = data ? Float32Array.from(data) : new Float32Array(n);
  if (d.length !== n) throw new Error(`tensor: ${d.length} values for shape [${shape}]`);
  return { dtype: 'float32', shape: [...shape], data: d };
}

/** Double precision, for finite-difference checks (onnxruntime's CPU provider runs most ops in double). */
export function f64(shape: readonly number[], data?: ArrayLike<number>): HostTensor {
  const n = numel(shape);
  const d = data ? Float64Array.from(data) : new Float64Array(n);
  if (d.length !== n) throw new Error(`tensor: ${d.length} values for shape [${shape}]`);
  return { dtype: 'float64', shape: [...shape], data: d };
}

export function i64(shape: readonly number[], data: ArrayLike<number | bigint>): HostTensor {
  const d = BigInt64Array.from(Array.from(data, (x) => BigInt(x)));
  if (d.length !== numel(shape)) throw new Error(`tensor: ${d.length} values for shape [${shape}]`);
  return { dtype: 'int64', shape: [...shape], data: d };
}

export const asF32 = (t: HostTensor): Float32Array => {
  if (!(t.data instanceof Float32Array)) throw new Error(`expected float32, got ${t.dtype}`);
  return t.data;
};
