// Bulk half/bfloat16 conversions for weight loading. graph/dtype's scalar f32ToF16 allocates per call
// (~0.8 µs per element: minutes for an SD 1.5 UNet), so its bit-level rounding (halfFromBits) runs here
// over a bit view of the whole array.
import { f16ToF32, halfFromBits } from '../graph/dtype';

let halfTable: Float32Array | undefined;

/** IEEE half bits → float32, through a 65536-entry table built once from f16ToF32. */
export function halfToFloat32(src: Uint16Array): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = f16ToF32(h);
  }
  const table = halfTable;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  return out;
}

/** float32 → IEEE half bits, round to nearest even (overflow → ±inf, NaN stays NaN). */
export function float32ToHalf(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfFromBits(bits[i]);
  return out;
}

/** bfloat16 bits → float32: bfloat16 is the top half of a float32. */
export function bfloat16ToFloat32(src: Uint16Array): Float32Array {
  const out = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
  return new Float32Array(out.buffer);
}
