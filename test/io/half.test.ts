import { describe, expect, it } from 'vitest';
import { f16ToF32, f32ToF16 } from '../../src/engine/graph/dtype';
import { bfloat16ToFloat32, float32ToHalf, halfToFloat32 } from '../../src/engine/io/half';

/**
 * The nearest half by value, ties to the even bit pattern: a binary search over the finite halves' values
 * (f16ToF32: arithmetic, not bit manipulation), independent of the rounding code under test. Past the
 * largest finite half (65504) the next step would be 2^16, so 65520 and above round to infinity.
 */
function nearestHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  const value = (h: number) => (h === 0x7c00 ? 2 ** 16 : f16ToF32(h));
  if (a >= 2 ** 16) return sign | 0x7c00;
  let lo = 0;
  let hi = 0x7c00; // value(lo) ≤ a < value(hi)
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (value(mid) <= a) lo = mid;
    else hi = mid;
  }
  const down = a - value(lo);
  const up = value(hi) - a;
  return sign | (down < up || (down === up && lo % 2 === 0) ? lo : hi);
}

describe('half conversions', () => {
  it('float32ToHalf is bit-identical to graph/dtype f32ToF16, and both round to the nearest half', () => {
    const special = [0, -0, 1, -1, 65504, 65519.99, 65520, 1e6, -1e6, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -26,
      2 ** -14, 2 ** -14 - 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1e-10, Infinity, -Infinity, NaN, 0.1, 1 / 3];
    const bits = new Uint32Array(200_000 + special.length);
    let s = 12345;
    for (let i = 0; i < 200_000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      // Bias half of the samples toward half's exponent range, where the rounding cases live.
      bits[i] = i % 2 ? s : (s & 0x807fffff) | ((((s >>> 8) % 40) + 100) << 23);
    }
    const f = new Float32Array(bits.buffer);
    f.set(special, 200_000);
    const got = float32ToHalf(f);
    for (let i = 0; i < f.length; i++) if (got[i] !== f32ToF16(f[i])) expect.fail(`${f[i]}: ${got[i]} vs ${f32ToF16(f[i])}`);
    const nan = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    for (let i = 0; i < f.length; i++) {
      const want = nearestHalf(f[i]);
      if (got[i] !== want && !(nan(got[i]) && nan(want))) expect.fail(`${f[i]}: ${got[i]}, nearest half ${want}`);
    }
    expect([65504, 65519.99, 65520, 2 ** -25, 3 * 2 ** -26, 1 + 2 ** -11, 1 + 3 * 2 ** -11].map(f32ToF16))
      .toEqual([0x7bff, 0x7bff, 0x7c00, 0x0000, 0x0001, 0x3c00, 0x3c02]);
  });

  it('halfToFloat32 matches f16ToF32 for all 65536 patterns', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const got = halfToFloat32(all);
    for (let h = 0; h < 65536; h++) expect(Object.is(got[h], Math.fround(f16ToF32(h))) || (isNaN(got[h]) && isNaN(f16ToF32(h)))).toBe(true);
  });

  it('bfloat16ToFloat32 is the top half of a float32', () => {
    const x = new Float32Array([1, -2.5, 3.140625, -Infinity, 1e30]);
    const top = new Uint16Array(new Uint32Array(x.buffer).map((b) => b >>> 16));
    expect([...bfloat16ToFloat32(top)]).toEqual([1, -2.5, 3.140625, -Infinity, new Float32Array(new Uint32Array([new Uint32Array(x.buffer)[4] & 0xffff0000]).buffer)[0]]);
  });
});
