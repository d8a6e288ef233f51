// θ(c) = (V_k c) ⊙ std + mean inside a graph: V_k, std and mean are weights of the space (one source per
// space), so a weight store (runtime/weight-store.ts) holds one copy of them for every session that uses
// them — the projector's, and inversion's gradient graph, which computes θ from the coefficients and
// differentiates w.r.t. them, so θ and ∂L/∂θ never leave the device: only c goes in, the loss and ∂L/∂c out.
// V_k is cut into row blocks (each one weight, at most maxBlockBytes: WebGPU binds a buffer of at most
// maxStorageBufferBindingSize to a kernel) that never straddle the space's own row blocks.
import { DTYPE_BYTES } from '../graph/dtype';
import type { Graph, Value } from '../graph/ir';
import { add, cast, concat, matmul, mul, reshape } from '../graph/ops/index';
import { float32ToHalf } from '../io/half';
import type { RowBlocks } from '../io/row-blocks';

/** How V_k is stored on the device: float16 halves its memory (1.86 GiB at k = 10,000); products accumulate in fp32. */
export type BasisStorage = 'float32' | 'float16';

export interface GraphBasis {
  /** The weight source naming this space (see isBasisSource): one copy per space in a weight store. */
  readonly source: string;
  /** V as the space holds it: D rows of `stride` values, in row blocks. */
  readonly v: RowBlocks;
  readonly stride: number;
  /** Components used (the first k columns of V), k ≤ stride. */
  readonly k: number;
  readonly std: Float32Array;
  readonly mean: Float32Array;
  readonly storage: BasisStorage;
  /** Largest V block in one weight, bytes. */
  readonly maxBlockBytes: number;
}

/** 128 MiB: WebGPU's default maxStorageBufferBindingSize, so no adapter limit needs raising. */
export const BASIS_BLOCK_BYTES = 128 * 2 ** 20;

const SOURCE_PREFIX = 'w2w space ';
let spaces = 0;
/** A fresh source name for a space's weights. */
export const newBasisSource = (): string => `${SOURCE_PREFIX}${++spaces}`;
/** Whether a weight comes from a space (CPU sessions bind these as inputs and keep model weights packed). */
export const isBasisSource = (source: string): boolean => source.startsWith(SOURCE_PREFIX);

/** Device bytes of V_k, std and mean. */
export const basisBytes = (d: number, k: number, storage: BasisStorage): number => d * k * DTYPE_BYTES[storage] + 8 * d;

/** What a session's static graph depends on (its cache key). */
export const basisKey = (b: GraphBasis): string => `${b.source.slice(SOURCE_PREFIX.length)}_k${b.k}_${b.storage}`;

/** Row ranges of V_k's blocks: whole rows, ≤ maxBlockBytes, within the space's blocks of `sourceRows` rows. */
export function basisBlocks(d: number, k: number, storage: BasisStorage, maxBlockBytes: number, sourceRows: number): { start: number; end: number }[] {
  const rows = Math.floor(maxBlockBytes / (k * DTYPE_BYTES[storage]));
  if (rows < 1) throw new Error(`basis: one row of V_k (k = ${k}, ${storage}) is larger than a block of ${maxBlockBytes} bytes`);
  const out: { start: number; end: number }[] = [];
  for (let s = 0; s < d; s += sourceRows)
    for (let b = s; b < Math.min(d, s + sourceRows); b += rows) out.push({ start: b, end: Math.min(d, s + sourceRows, b + rows) });
  return out;
}

/** Rows [start, end) of V's first k columns, as stored (a view when k is V's full width and storage fp32). */
function blockBytes(b: GraphBasis, start: number, end: number): Uint8Array {
  const per = b.v[0].length / b.stride;
  const block = b.v[Math.floor(start / per)];
  const from = (start % per) * b.stride;
  let rows = block.subarray(from, from + (end - start) * b.stride);
  if (b.k < b.stride) {
    const cols = new Float32Array((end - start) * b.k);
    for (let r = 0; r < end - start; r++) cols.set(rows.subarray(r * b.stride, r * b.stride + b.k), r * b.k);
    rows = cols;
  }
  const out = b.storage === 'float16' ? float32ToHalf(rows) : rows;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Adds the input `coef` float32 [k] and returns θ float32 [D] computed from it. */
export function basisTheta(g: Graph, b: GraphBasis): { coef: Value; theta: Value } {
  const d = b.mean.length;
  if (b.k > b.stride) throw new Error(`basis: ${b.k} components asked, the space holds ${b.stride}`);
  const coef = g.input('coef', 'float32', [b.k]);
  const c = reshape(coef, [b.k, 1]);
  const vec = (name: string, a: Float32Array) =>
    g.weight(name, 'float32', [d], async () => new Uint8Array(a.buffer, a.byteOffset, a.byteLength), b.source);
  const parts = basisBlocks(d, b.k, b.storage, b.maxBlockBytes, b.v[0].length / b.stride).map(({ start, end }) => {
    const w = g.weight(`w2w.V_k${b.k}.${start}-${end}`, b.storage, [end - start, b.k], async () => blockBytes(b, start, end), b.source);
    return matmul(b.storage === 'float32' ? w : cast(w, 'float32'), c);
  });
  const theta = add(mul(reshape(parts.length === 1 ? parts[0] : concat(parts, 0), [d]), vec('w2w.std', b.std)), vec('w2w.mean', b.mean));
  return { coef, theta };
}
