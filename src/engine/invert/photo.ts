// Photo intake for inversion: a square crop of decoded pixels, resized as the reference does, as the
// VAE's input in [−1, 1]. Reference (torchvision on PIL): Resize(S, BILINEAR) on the shorter side,
// crop S×S, ToTensor, Normalize(0.5, 0.5) — reproduced with Pillow's antialiased bilinear filter
// (resample.ts) and torchvision's size and center-crop rounding.
import { f32, type HostTensor } from '../runtime/tensor';
import type { Rgba } from '../sd/image';
import { checkImageSize, type ImageLimits } from './image-probe';
import { resizeBilinear, type Box } from './resample';

/** A square in source pixels: left, top, side (fractions allowed, as a crop UI's zoom gives). */
export interface CropSquare {
  x: number;
  y: number;
  size: number;
}

export interface PreparedPhoto {
  /** [1, 3, S, S] in [−1, 1], float32 exactly as torchvision computes it. */
  image: HostTensor;
  /** The same S×S pixels (8-bit), for previews. */
  pixels: Rgba;
  /** The region of the source photo the model sees, [x0, y0, x1, y1) in source pixels. */
  box: Box;
}

/** Python's round(): halves to even, as torchvision's center crop uses. */
const roundHalfEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** Centered: torchvision Resize(size) (shorter side → size, longer int(size·long/short)) + CenterCrop(size). */
function centered(img: Rgba, size: number): { pixels: Rgba; box: Box } {
  const { width: w, height: h } = img;
  const long = Math.trunc((size * Math.max(w, h)) / Math.min(w, h));
  const [rw, rh] = w <= h ? [size, long] : [long, size];
  const resized = rw === w && rh === h ? img : resizeBilinear(img, rw, rh);
  const top = roundHalfEven((rh - size) / 2);
  const left = roundHalfEven((rw - size) / 2);
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    const row = ((y + top) * rw + left) * 4;
    data.set(resized.data.subarray(row, row + size * 4), y * size * 4);
  }
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  const sx = w / rw;
  const sy = h / rh;
  return { pixels: { width: size, height: size, data }, box: [left * sx, top * sy, (left + size) * sx, (top + size) * sy] };
}

function checkCrop(img: Rgba, c: CropSquare, name: string): Box {
  const ok = [c.x, c.y, c.size].every(Number.isFinite) && c.size > 0 && c.x >= 0 && c.y >= 0 &&
    c.x + c.size <= img.width + 1e-6 && c.y + c.size <= img.height + 1e-6;
  if (!ok) throw new Error(`${name}: crop square (x ${c.x}, y ${c.y}, side ${c.size}) does not lie inside the ${img.width}×${img.height} image`);
  return [c.x, c.y, c.x + c.size, c.y + c.size];
}

/** 8-bit pixels → [1, 3, H, W]: ToTensor (v/255 in float32) then Normalize(0.5, 0.5), alpha dropped. */
export function toModelInput(img: Rgba): HostTensor {
  const plane = img.width * img.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let k = 0; k < 3; k++) out[k * plane + i] = Math.fround(Math.fround(img.data[i * 4 + k] / 255) - 0.5) / 0.5;
  return f32([1, 3, img.height, img.width], out);
}

/**
 * The photo as the model sees it at `size` pixels (the model's: UNet sample_size × VAE factor). Without
 * `crop`, the reference's resize-then-center-crop; with it, that square resized to size×size.
 */
export function preparePhoto(img: Rgba, size: number, crop?: CropSquare, name = 'photo', limits?: ImageLimits): PreparedPhoto {
  checkImageSize(img.width, img.height, name, limits);
  if (img.data.length !== img.width * img.height * 4)
    throw new Error(`${name}: ${img.data.length} bytes of pixels for ${img.width}×${img.height} RGBA`);
  if (!Number.isInteger(size) || size <= 0) throw new Error(`photo size must be a positive integer, got ${size}`);
  const { pixels, box } = crop
    ? (() => {
        const b = checkCrop(img, crop, name);
        return { pixels: resizeBilinear(img, size, size, b), box: b };
      })()
    : centered(img, size);
  return { image: toModelInput(pixels), pixels, box };
}
