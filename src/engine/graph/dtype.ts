// Element types the engine uses, with their ONNX TensorProto.DataType codes.
export type DType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'bool';

export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  bool: 1,
};

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float16' || d === 'float64';

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** float32 → IEEE half, round to nearest even. */
export function f32ToF16(x: number): number {
  const f = new Float32Array(1);
  f[0] = x;
  return halfFromBits(new Uint32Array(f.buffer)[0]);
}

/** float32 bits → IEEE half bits, round to nearest even (overflow → ±inf, NaN stays NaN). */
export function halfFromBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit 1 in and round what falls off.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to inf).
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** IEEE half → float32. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
