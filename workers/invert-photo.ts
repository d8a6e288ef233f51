// Photos and masks for the invert panel, decoded here and never on the page: the header probe first
// (non-image, empty, corrupt or huge files fail before any pixel is decoded), then createImageBitmap,
// which applies EXIF orientation, and OffscreenCanvas for the pixels.
import { ellipseMask, isMaskOn, loadImage, type ImageProbe } from '../src/engine/invert/index';
import type { Rgba } from '../src/engine/sd/image';
import { encodePng } from './preview';

/** Longest side of the picture the page shows and paints the mask on (small photos are scaled up, so the brush stays fine). */
export const VIEW_SIDE = 512;

export interface PhotoView {
  name: string;
  /** The decoded (oriented) photo's size. */
  width: number;
  height: number;
  /** A copy scaled to VIEW_SIDE on its longer side, for the crop and mask view. */
  view: Blob;
  viewWidth: number;
  viewHeight: number;
}

const message = (e: unknown) => (e as Error)?.message ?? String(e);

/** The ImageDecoder for intake: sRGB bytes as stored (no ICC conversion, as Pillow), alpha not premultiplied. */
export async function decodeInWorker(bytes: Uint8Array, probe: ImageProbe, name: string): Promise<Rgba> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      imageOrientation: 'from-image', colorSpaceConversion: 'none', premultiplyAlpha: 'none',
    });
  } catch (e) {
    throw new Error(`${name}: the browser could not decode this ${probe.format.toUpperCase()} file; it is corrupt or truncated (${message(e)})`);
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('OffscreenCanvas 2d context unavailable: cannot read image pixels');
    ctx.drawImage(bitmap, 0, 0);
    return { width: bitmap.width, height: bitmap.height, data: ctx.getImageData(0, 0, bitmap.width, bitmap.height).data };
  } finally {
    bitmap.close();
  }
}

export async function readImageFile(file: Blob, name: string): Promise<Rgba> {
  if (file.size === 0) throw new Error(`${name}: the file is empty (0 bytes)`);
  return loadImage({ name, bytes: new Uint8Array(await file.arrayBuffer()) }, decodeInWorker);
}

export const viewSize = (w: number, h: number): [number, number] => {
  const s = VIEW_SIDE / Math.max(w, h);
  return [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
};

/** Draws pixels scaled to w×h (smoothed for photos, nearest for masks). */
function scaled(img: Rgba, w: number, h: number, smooth: boolean): Rgba {
  const src = new OffscreenCanvas(img.width, img.height);
  src.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  const dst = new OffscreenCanvas(w, h);
  const ctx = dst.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingEnabled = smooth;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(src, 0, 0, w, h);
  return { width: w, height: h, data: ctx.getImageData(0, 0, w, h).data };
}

export async function photoView(name: string, img: Rgba): Promise<PhotoView> {
  const [viewWidth, viewHeight] = viewSize(img.width, img.height);
  const small = viewWidth === img.width && viewHeight === img.height ? img : scaled(img, viewWidth, viewHeight, true);
  return { name, width: img.width, height: img.height, view: await encodePng(small), viewWidth, viewHeight };
}

/** The brush layer's convention: head = opaque white, the rest transparent (what prepareMask reads as on/off). */
function overlay(mask: Rgba): Rgba {
  const data = new Uint8ClampedArray(mask.data.length);
  for (let p = 0; p < data.length; p += 4) if (isMaskOn(mask.data, p)) data.set([255, 255, 255, 255], p);
  return { width: mask.width, height: mask.height, data };
}

/** A mask image (white = head) as a brush layer at the photo view's size. */
export const layerOf = (mask: Rgba, photo: PhotoView): Rgba => overlay(scaled(mask, photo.viewWidth, photo.viewHeight, false));

/** A dropped mask file as a brush layer at the view's size; a note when its size is not the photo's. */
export async function maskLayer(file: Blob, name: string, photo: PhotoView): Promise<{ layer: Rgba; notes: string[] }> {
  const img = await readImageFile(file, name);
  const notes =
    img.width === photo.width && img.height === photo.height
      ? []
      : [`${name}: ${img.width}×${img.height} differs from the photo's ${photo.width}×${photo.height}; resized to it (nearest)`];
  return { layer: layerOf(img, photo), notes };
}

/** The automatic head ellipse as a brush layer. */
export const ellipseLayer = (w: number, h: number): Rgba => overlay(ellipseMask(w, h));
