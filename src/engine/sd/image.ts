// Image tensors → 8-bit RGBA pixels, as diffusers' postprocess does ((x/2 + 0.5) clamped, × 255, rounded).
import type { HostTensor } from '../runtime/tensor';

export interface Rgba {
  width: number;
  height: number;
  /** width·height·4 bytes, row-major. */
  data: Uint8ClampedArray;
}

/** The first image of a [B, 3, H, W] tensor in [−1, 1]. */
export function tensorToRgba(t: HostTensor): Rgba {
  const [, c, height, width] = t.shape;
  if (c !== 3) throw new Error(`expected 3 channels, got ${c}`);
  const src = t.data as Float32Array;
  const plane = width * height;
  const data = new Uint8ClampedArray(plane * 4);
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < 3; k++) data[i * 4 + k] = Math.round(Math.min(Math.max(src[k * plane + i] / 2 + 0.5, 0), 1) * 255);
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}
