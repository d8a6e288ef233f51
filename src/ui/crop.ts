// The square crop in view pixels: centered by default, moved by dragging, zoomed around its center,
// always inside the picture; and the same square in photo pixels for the run.
import type { CropSquare } from '../engine/invert/index';

export const centeredCrop = (w: number, h: number): CropSquare => {
  const size = Math.min(w, h);
  return { x: (w - size) / 2, y: (h - size) / 2, size };
};

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function inside(c: CropSquare, w: number, h: number): CropSquare {
  const size = clamp(c.size, 1, Math.min(w, h));
  return { size, x: clamp(c.x, 0, w - size), y: clamp(c.y, 0, h - size) };
}

export const moveCrop = (c: CropSquare, dx: number, dy: number, w: number, h: number): CropSquare =>
  inside({ ...c, x: c.x + dx, y: c.y + dy }, w, h);

/** Zoom z ≥ 1: the square's side is the picture's shorter side / z, keeping its center. */
export function zoomCrop(c: CropSquare, z: number, w: number, h: number): CropSquare {
  const size = Math.min(w, h) / clamp(z, 1, 8);
  return inside({ size, x: c.x + c.size / 2 - size / 2, y: c.y + c.size / 2 - size / 2 }, w, h);
}

export const zoomOf = (c: CropSquare, w: number, h: number): number => Math.min(w, h) / c.size;

/**
 * A square in view pixels (the picture shown at `view` size, each side rounded, so the two axes' scales
 * differ slightly) as a square in photo pixels: the side by the shorter axis (zoom z → shorter side / z), the
 * position as the same fraction of the room left to move on each axis (edges stay edges, center stays center).
 */
export function viewCropToPhoto(c: CropSquare, view: { width: number; height: number }, photo: { width: number; height: number }): CropSquare {
  const { width: w, height: h } = photo;
  const size = Math.min(c.size * (Math.min(w, h) / Math.min(view.width, view.height)), w, h);
  const along = (pos: number, viewRoom: number, room: number) => (viewRoom > 0 ? clamp(pos / viewRoom, 0, 1) * room : room / 2);
  return { size, x: along(c.x, view.width - c.size, w - size), y: along(c.y, view.height - c.size, h - size) };
}
