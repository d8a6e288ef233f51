// Where the head is, from the 68 landmarks: the landmarks cover the face from the brows to the chin, so hair
// and ears are extrapolated with proportions of the face (forehead + hair above the brows ≈ 0.75 of the
// brow–chin height; ears and hair at the sides ≈ 1.3 × the jaw's width). Worked in the face's own frame
// (x along the eye line, y down the face) so a tilted head gets a tilted outline.
import type { Face, Point } from './detect';

export interface HeadFrame {
  /** Midpoint of the jaw's widest span, in photo pixels. */
  origin: Point;
  /** Unit vector along the eye line (left eye → right eye in the picture). */
  u: Point;
  /** Unit vector down the face, perpendicular to u. */
  v: Point;
  /** Half the jaw's width. */
  halfJaw: number;
  /** Brow top and chin, as offsets along v from the origin. */
  brow: number;
  chin: number;
}

/** Head top above the brows, in brow–chin heights. */
export const HAIR_ABOVE = 0.75;
/** Head half-width (hair, ears) in half-jaw widths. */
export const HEAD_WIDTH = 1.3;

const mean = (ps: Point[]): Point => [ps.reduce((s, p) => s + p[0], 0) / ps.length, ps.reduce((s, p) => s + p[1], 0) / ps.length];

export function headFrame(face: Face): HeadFrame {
  const lm = face.landmarks;
  if (lm.length !== 68) throw new Error(`face landmarks: expected 68 points, got ${lm.length}`);
  const [le, re] = [mean(lm.slice(36, 42)), mean(lm.slice(42, 48))];
  const d = Math.hypot(re[0] - le[0], re[1] - le[1]) || 1;
  const u: Point = [(re[0] - le[0]) / d, (re[1] - le[1]) / d];
  const v: Point = [-u[1], u[0]];
  const along = (p: Point, a: Point) => p[0] * a[0] + p[1] * a[1];
  const jaw = lm.slice(0, 17);
  const xs = jaw.map((p) => along(p, u));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const eyes = mean([le, re]);
  // The origin sits on the eye line, midway across the jaw.
  const mid = (x0 + x1) / 2 - along(eyes, u);
  const origin: Point = [eyes[0] + mid * u[0], eyes[1] + mid * u[1]];
  const off = (p: Point) => along([p[0] - origin[0], p[1] - origin[1]], v);
  return { origin, u, v, halfJaw: (x1 - x0) / 2, brow: Math.min(...lm.slice(17, 27).map(off)), chin: off(lm[8]) };
}

/** Face-frame (x along u, y along v) → photo pixels. */
export const toPhoto = (f: HeadFrame, x: number, y: number): Point => [f.origin[0] + x * f.u[0] + y * f.v[0], f.origin[1] + x * f.u[1] + y * f.v[1]];

/** The head's extent in the face frame: top (hair) to chin, ± half-width. */
export function headExtent(f: HeadFrame): { top: number; bottom: number; half: number } {
  return { top: f.brow - HAIR_ABOVE * (f.chin - f.brow), bottom: f.chin, half: HEAD_WIDTH * f.halfJaw };
}

/**
 * The head's outline in photo pixels: the jaw line widened at the ears and kept at the chin (the neck stays
 * out), closed over the top by a half-ellipse through the hair.
 */
export function headOutline(face: Face, arcPoints = 24): Point[] {
  const f = headFrame(face);
  const { top, half } = headExtent(f);
  const local = face.landmarks.slice(0, 17).map((p): Point => {
    const q: Point = [p[0] - f.origin[0], p[1] - f.origin[1]];
    return [q[0] * f.u[0] + q[1] * f.u[1], q[0] * f.v[0] + q[1] * f.v[1]];
  });
  // Ears sit beside the jaw's upper half: widen the upper points most, the chin not at all.
  const jaw = local.map(([x, y], i): Point => {
    const t = Math.abs(i - 8) / 8;
    return [x * (1 + 0.25 * t), y + (1 - t) * 0.03 * (f.chin - f.brow)];
  });
  const ear = (jaw[0][1] + jaw[16][1]) / 2;
  const arc: Point[] = [];
  for (let k = 0; k <= arcPoints; k++) {
    const a = (Math.PI * k) / arcPoints;
    arc.push([half * Math.cos(a), ear - (ear - top) * Math.sin(a)]);
  }
  return [...jaw, ...arc].map(([x, y]) => toPhoto(f, x, y));
}
