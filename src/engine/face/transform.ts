// Test-photo variants: a mirrored and rescaled copy of a photo is still the same person, which is what the
// identity score's own test and the detector comparison check.
import { resizeBilinear } from '../invert/resample';
import type { Rgba } from '../sd/image';

export function mirrored(img: Rgba): Rgba {
  const data = new Uint8ClampedArray(img.data.length);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      const from = (y * img.width + x) * 4;
      data.set(img.data.subarray(from, from + 4), (y * img.width + img.width - 1 - x) * 4);
    }
  return { width: img.width, height: img.height, data };
}

export const rescaled = (img: Rgba, s: number): Rgba => resizeBilinear(img, Math.max(1, Math.round(img.width * s)), Math.max(1, Math.round(img.height * s)));
