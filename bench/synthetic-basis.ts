// A synthetic w2w basis for the benchmark: V (D × k) filled by a cheap deterministic generator (xorshift, values
// in ±1/√D), std 0.01, mean 0. The products' cost does not depend on the values.
import { allocBlocks } from '../src/engine/io/row-blocks';

export function syntheticBasis(d: number, k: number) {
  let x = 2463534242;
  const v = allocBlocks(d, k);
  const scale = 2 / Math.sqrt(d) / 2 ** 32;
  for (const b of v)
    for (let i = 0; i < b.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = (x >>> 0) * scale - 1 / Math.sqrt(d);
    }
  return { v, k, std: new Float32Array(d).fill(0.01), mean: new Float32Array(d) };
}
