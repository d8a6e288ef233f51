// The automatic crop and head mask for inversion, from the largest face; with no face, today's defaults
// (the reference's centre crop and the brush's head ellipse) and the detector's note.
import type { CropSquare } from '../invert/photo';
import { ellipseMask, HEAD_ELLIPSE } from '../invert/mask';
import type { Rgba } from '../sd/image';
import type { Face, FaceReport, Point } from './detect';
import { headExtent, headFrame, headOutline, toPhoto } from './head';

/** The head's share of the crop's side: the official images show the head in about the middle 60 %. */
export const HEAD_FILL = 0.6;

/** A square centred on the head with the head filling HEAD_FILL of it, moved (and if need be shrunk) to lie inside the photo. */
export function headCrop(face: Face, img: { width: number; height: number }): CropSquare {
  const f = headFrame(face);
  const { top, bottom, half } = headExtent(f);
  const [cx, cy] = toPhoto(f, 0, (top + bottom) / 2);
  const size = Math.min(img.width, img.height, Math.max(bottom - top, 2 * half) / HEAD_FILL);
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return { x: clamp(cx - size / 2, img.width - size), y: clamp(cy - size / 2, img.height - size), size };
}

/** Fills a polygon (photo pixels) into an opaque white-on-black mask; a pixel is in when its centre is (even–odd rule). */
export function fillPolygon(poly: Point[], width: number, height: number): Rgba {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 3; p < data.length; p += 4) data[p] = 255;
  for (let y = 0; y < height; y++) {
    const yc = y + 0.5;
    const xs: number[] = [];
    for (let i = 0; i < poly.length; i++) {
      const [a, b] = [poly[i], poly[(i + 1) % poly.length]];
      if ((a[1] <= yc) !== (b[1] <= yc)) xs.push(a[0] + ((yc - a[1]) / (b[1] - a[1])) * (b[0] - a[0]));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2)
      for (let x = Math.max(0, Math.ceil(xs[k] - 0.5)); x < Math.min(width, Math.ceil(xs[k + 1] - 0.5)); x++) data.fill(255, (y * width + x) * 4, (y * width + x) * 4 + 3);
  }
  return { width, height, data };
}

/** The automatic head mask at the photo's size: face, hair and ears white, neck, shoulders and background black. */
export const headMask = (face: Face, width: number, height: number): Rgba => fillPolygon(headOutline(face), width, height);

export interface AutoFrame {
  /** The crop; undefined = the reference's centre crop (no face). */
  crop?: CropSquare;
  /** White-on-black at the photo's size. */
  mask: Rgba;
  /** Whether the face drove them (false: the no-face fallback). */
  fromFace: boolean;
  notes: string[];
}

/** The brush's head ellipse placed in the centre square (what the model sees without a crop). */
export function centreEllipseMask(width: number, height: number): Rgba {
  const s = Math.min(width, height);
  const e = HEAD_ELLIPSE;
  return ellipseMask(width, height, {
    cx: 0.5, cy: ((height - s) / 2 + e.cy * s) / height, rx: (e.rx * s) / width, ry: (e.ry * s) / height,
  });
}

/** Crop and mask for a detection report; never throws for a photo without a face. */
export function autoFrame(report: FaceReport, img: { width: number; height: number }): AutoFrame {
  if (!report.face) return { mask: centreEllipseMask(img.width, img.height), fromFace: false, notes: report.notes };
  return { crop: headCrop(report.face, img), mask: headMask(report.face, img.width, img.height), fromFace: true, notes: report.notes };
}
