// The inversion's head mask: binary, at latent resolution, values exactly {0, 1}; no mask = all ones.
// Resized by nearest sampling as torch does (the fixture's evaluation mask is exactly that); unlike the
// reference, which resizes the whole mask while cropping the photo, the mask follows the photo's crop, so
// a non-square photo's mask stays aligned with what the model sees.
import type { Rgba } from '../sd/image';
import type { Box } from './resample';
import { nearestIndices } from './resample';

export interface LatentMask {
  /** [1, 1, h, w] row-major, each value 0 or 1. */
  data: Float32Array;
  width: number;
  height: number;
  /** What was adjusted (e.g. a mask of another size than the photo), for the user. */
  notes: string[];
}

/** A mask pixel is "head" when it is light (mean RGB ≥ 128) and opaque (alpha ≥ 128): a white brush on black or transparent. */
export const isMaskOn = (d: Uint8ClampedArray, p: number): boolean => d[p] + d[p + 1] + d[p + 2] >= 384 && d[p + 3] >= 128;

/**
 * `mask` (any size; nearest-resized to the photo's size with a note when it differs) sampled over the
 * photo's crop `box` at `width`×`height` latents; null gives all ones.
 */
export function prepareMask(
  mask: Rgba | null,
  photo: { width: number; height: number },
  box: Box,
  width: number,
  height: number,
  name = 'mask',
): LatentMask {
  const notes: string[] = [];
  const data = new Float32Array(width * height);
  if (!mask) return { data: data.fill(1), width, height, notes };
  if (!(mask.width > 0 && mask.height > 0) || mask.data.length !== mask.width * mask.height * 4)
    throw new Error(`${name}: bad mask pixels (${mask.width}×${mask.height}, ${mask.data.length} bytes)`);
  if (mask.width !== photo.width || mask.height !== photo.height)
    notes.push(`${name}: ${mask.width}×${mask.height} differs from the photo's ${photo.width}×${photo.height}; resized to it (nearest)`);
  const rx = mask.width / photo.width;
  const ry = mask.height / photo.height;
  const xs = nearestIndices(mask.width, box[0] * rx, box[2] * rx, width);
  const ys = nearestIndices(mask.height, box[1] * ry, box[3] * ry, height);
  let on = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) on += data[y * width + x] = isMaskOn(mask.data, (ys[y] * mask.width + xs[x]) * 4) ? 1 : 0;
  if (on === 0) throw new Error(`${name}: selects no pixel at the ${width}×${height} latent resolution (paint the head white)`);
  return { data, width, height, notes };
}

export interface Ellipse {
  /** Center and radii as fractions of the width/height. */
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

/** A head-shaped start for the brush: a centered upright ellipse covering face, hair and ears. */
export const HEAD_ELLIPSE: Ellipse = { cx: 0.5, cy: 0.45, rx: 0.32, ry: 0.42 };

/** An opaque white-on-black mask image with the ellipse filled, at any resolution. */
export function ellipseMask(width: number, height: number, e: Ellipse = HEAD_ELLIPSE): Rgba {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const dx = ((x + 0.5) / width - e.cx) / e.rx;
      const dy = ((y + 0.5) / height - e.cy) / e.ry;
      const v = dx * dx + dy * dy <= 1 ? 255 : 0;
      data.set([v, v, v, 255], (y * width + x) * 4);
    }
  return { width, height, data };
}
