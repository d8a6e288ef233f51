// A rows×k row-major float32 matrix held as consecutive row blocks. Browsers cap one ArrayBuffer near
// 2 GB and V[:, :10000] of the w2w space is 3.99 GB, so big matrices are a list of pieces, each a whole
// number of rows (row j's k values are contiguous) and at most maxBlockBytes.

/** Blocks in row order; every block but the last has the same number of rows. */
export type RowBlocks = readonly Float32Array[];

/** Default largest block: 1 GiB, half of Chrome's one-ArrayBuffer limit. */
export const MAX_BLOCK_BYTES = 2 ** 30;

/** Rows of k float32 values that fit one block of at most maxBytes. */
export function rowsPerBlock(k: number, maxBytes = MAX_BLOCK_BYTES): number {
  const n = Math.floor(maxBytes / (4 * k));
  if (!Number.isSafeInteger(k) || k < 1 || n < 1) throw new Error(`row blocks: a row of ${k} float32 values does not fit a block of ${maxBytes} bytes`);
  return n;
}

/** Allocates the blocks of a rows×k matrix (`alloc` makes one block of n values, e.g. over shared memory). */
export function allocBlocks(rows: number, k: number, maxBytes = MAX_BLOCK_BYTES, alloc: (n: number) => Float32Array = (n) => new Float32Array(n)): Float32Array[] {
  const per = rowsPerBlock(k, maxBytes);
  const out: Float32Array[] = [];
  for (let r = 0; r < rows || out.length === 0; r += per) {
    const n = Math.min(per, rows - r) * k;
    const b = alloc(n);
    if (b.length !== n) throw new Error(`row blocks: the allocator returned ${b.length} values for ${n}`);
    out.push(b);
  }
  return out;
}

/** Views (no copy) of one row-major array as blocks of at most maxBytes. */
export function toBlocks(v: Float32Array, k: number, maxBytes = MAX_BLOCK_BYTES): Float32Array[] {
  const step = rowsPerBlock(k, maxBytes) * k;
  const out: Float32Array[] = [];
  for (let o = 0; o < v.length || out.length === 0; o += step) out.push(v.subarray(o, Math.min(v.length, o + step)));
  return out;
}

/** One array of all blocks (small matrices, tests). */
export function joinBlocks(v: RowBlocks): Float32Array {
  if (v.length === 1) return v[0];
  const out = new Float32Array(v.reduce((s, b) => s + b.length, 0));
  let o = 0;
  for (const b of v) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

/** Throws unless the blocks are `rows` rows of k in whole rows, equal blocks but the last. */
export function checkBlocks(v: RowBlocks, rows: number, k: number, what: string): void {
  let total = 0;
  v.forEach((b, i) => {
    if (b.length % k) throw new Error(`${what}: block ${i} has ${b.length} values, not whole rows of ${k}`);
    if (i < v.length - 1 && b.length !== v[0].length) throw new Error(`${what}: block ${i} has ${b.length} values, block 0 has ${v[0].length}; only the last may be shorter`);
    total += b.length / k;
  });
  if (total !== rows) throw new Error(`${what} has ${total} rows of ${k} in ${v.length} block(s), expected ${rows}`);
}

/** Rows [start, end) as one view; they must lie in one block. */
export function rowRange(v: RowBlocks, k: number, start: number, end: number): Float32Array {
  const per = v[0].length / k;
  const b = per > 0 ? Math.floor(start / per) : v.length;
  if (b >= v.length || end - b * per > v[b].length / k || end < start) throw new Error(`row blocks: rows ${start}..${end} are not inside one block of ${per} rows`);
  return v[b].subarray((start - b * per) * k, (end - b * per) * k);
}

/** Element (row, col), for spot checks. */
export const valueAt = (v: RowBlocks, k: number, row: number, col: number): number => rowRange(v, k, row, row + 1)[col];

/** Writes a flat row-major stream into blocks at global element positions (blocks equal but the last). */
export class BlockWriter {
  private readonly per: number;
  constructor(readonly blocks: RowBlocks) {
    this.per = blocks[0]?.length || 1;
  }
  /** `src` at flat positions pos, pos + 1, …, split at block boundaries. */
  set(src: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, pos: number): void {
    for (let done = 0; done < src.length; ) {
      const b = Math.floor((pos + done) / this.per);
      const at = pos + done - b * this.per;
      const take = Math.min(src.length - done, this.per - at);
      this.blocks[b].set(src.subarray(done, done + take), at);
      done += take;
    }
  }
  put(pos: number, x: number): void {
    const b = Math.floor(pos / this.per);
    this.blocks[b][pos - b * this.per] = x;
  }
}
