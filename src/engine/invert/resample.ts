// Pillow's resampling, reproduced so a photo reaches the model as the reference's PIL/torchvision
// transforms deliver it. BILINEAR is Pillow's convolution resampler (Resample.c): a triangle filter whose
// support widens with the downscale factor (antialiasing), weights normalized per output pixel, rounded to
// 22-bit fixed point, horizontal pass then vertical pass, each rounded to 8 bits. NEAREST is Pillow's
// affine nearest: source = floor(box0 + (i + 0.5)·scale).
import type { Rgba } from '../sd/image';

/** A source rectangle [x0, y0, x1, y1) in pixels, as Pillow's `resize(box=…)`. */
export type Box = readonly [number, number, number, number];

const PRECISION_BITS = 32 - 8 - 2;
const bilinear = (x: number) => {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
};

interface Coeffs {
  /** Per output pixel: first source index and count. */
  bounds: Int32Array;
  /** outSize × ksize fixed-point weights. */
  k: Int32Array;
  ksize: number;
}

function precompute(inSize: number, in0: number, in1: number, outSize: number): Coeffs {
  const scale = (Math.fround(in1) - Math.fround(in0)) / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = Math.fround(in0) + (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) ww += w[x] = bilinear((x + xmin - center + 0.5) / filterscale);
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, k, ksize };
}

const clip8 = (ss: number) => (ss >= 1 << (PRECISION_BITS + 8) ? 255 : ss <= 0 ? 0 : ss >> PRECISION_BITS);

/**
 * One pass over RGB channels (alpha is set to 255, as the reference converts to RGB first): `along`
 * 'x' resamples rows, 'y' columns; `rowOffset` is the first source row a horizontal pass reads.
 */
function pass(src: Rgba, c: Coeffs, outW: number, outH: number, along: 'x' | 'y', rowOffset = 0): Rgba {
  const out = new Uint8ClampedArray(outW * outH * 4);
  const half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++) {
      const o = along === 'x' ? x : y;
      const min = c.bounds[o * 2];
      const n = c.bounds[o * 2 + 1];
      for (let ch = 0; ch < 3; ch++) {
        let ss = half;
        for (let i = 0; i < n; i++) {
          const p = along === 'x' ? ((y + rowOffset) * src.width + min + i) * 4 : ((min + i) * src.width + x) * 4;
          ss += src.data[p + ch] * c.k[o * c.ksize + i];
        }
        out[(y * outW + x) * 4 + ch] = clip8(ss);
      }
      out[(y * outW + x) * 4 + 3] = 255;
    }
  return { width: outW, height: outH, data: out };
}

/** Pillow `img.convert('RGB').resize((w, h), Image.BILINEAR, box)` on 8-bit pixels. */
export function resizeBilinear(img: Rgba, w: number, h: number, box: Box = [0, 0, img.width, img.height]): Rgba {
  const needX = w !== img.width || box[0] !== 0 || box[2] !== w;
  const needY = h !== img.height || box[1] !== 0 || box[3] !== h;
  const cx = precompute(img.width, box[0], box[2], w);
  const cy = precompute(img.height, box[1], box[3], h);
  let cur: Rgba = { width: img.width, height: img.height, data: opaque(img.data) };
  if (needX) {
    // Only the rows the vertical pass reads, as Pillow does; vertical bounds shift accordingly.
    const first = cy.bounds[0];
    const last = cy.bounds[h * 2 - 2] + cy.bounds[h * 2 - 1];
    for (let i = 0; i < h; i++) cy.bounds[i * 2] -= first;
    cur = pass(cur, cx, w, last - first, 'x', first);
  }
  if (needY) cur = pass(cur, cy, w, h, 'y');
  return cur;
}

const opaque = (d: Uint8ClampedArray): Uint8ClampedArray => {
  const o = d.slice();
  for (let i = 3; i < o.length; i += 4) o[i] = 255;
  return o;
};

/**
 * Source index of each of `outSize` nearest samples over [in0, in1): torch's floor(i·scale) with a float32
 * scale, shifted by the box start. (Pillow's NEAREST samples pixel centers instead; the fixture's
 * evaluation mask was made the torch way.)
 */
export function nearestIndices(inSize: number, in0: number, in1: number, outSize: number): Int32Array {
  const scale = Math.fround((in1 - in0) / outSize);
  const idx = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) idx[i] = Math.min(Math.max(Math.floor(in0 + Math.fround(i * scale)), 0), inSize - 1);
  return idx;
}
