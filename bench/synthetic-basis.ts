// A synthetic w2w basis for the benchmarks (Node and the in-app page): V (D × k) filled by a cheap deterministic
// generator (xorshift, values in ±1/√D), std 0.01, mean 0. The products' cost does not depend on the values.
import { BASIS_BLOCK_BYTES, newBasisSource, type BasisStorage, type GraphBasis } from '../src/engine/space/basis-graph';
import { allocBlocks, rowsPerBlock } from '../src/engine/io/row-blocks';

function fill(b: Float32Array, d: number): void {
  let x = 2463534242;
  const scale = 2 / Math.sqrt(d) / 2 ** 32;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = (x >>> 0) * scale - 1 / Math.sqrt(d);
  }
}

/**
 * `repeat`: one 128 MiB block of rows used for every block of V (a browser tab would otherwise hold V_k twice,
 * 4 GB in JS and again on the GPU); the device copy is still the full D × k.
 */
export function syntheticBasis(d: number, k: number, { repeat = false } = {}) {
  let v: Float32Array[];
  if (repeat) {
    const rows = Math.min(d, rowsPerBlock(k, BASIS_BLOCK_BYTES));
    const block = new Float32Array(rows * k);
    fill(block, d);
    v = Array.from({ length: Math.ceil(d / rows) }, (_, i) => (i < Math.floor(d / rows) ? block : block.subarray(0, (d % rows) * k)));
  } else {
    v = allocBlocks(d, k);
    for (const b of v) fill(b, d);
  }
  return { v, k, std: new Float32Array(d).fill(0.01), mean: new Float32Array(d) };
}

/** The same as a graph takes it (space/basis-graph.ts), under a fresh source. */
export function syntheticGraphBasis(d: number, k: number, storage: BasisStorage, opts: { repeat?: boolean } = {}): GraphBasis {
  const { v, std, mean } = syntheticBasis(d, k, opts);
  return { source: newBasisSource(), v, stride: k, k, std, mean, storage, maxBlockBytes: BASIS_BLOCK_BYTES };
}
