// Face detection on decoded pixels: every face's box, 68 landmarks and (optionally) its descriptor, in the
// photo's pixels; the largest face is the one used, and what the user should know comes back as notes.
import type { Rgba } from '../sd/image';
import { resizeBilinear } from '../invert/resample';
import type { FaceModels } from './models';

export type Point = [number, number];

export interface Face {
  /** [x0, y0, x1, y1) in the photo's pixels. */
  box: [number, number, number, number];
  /** The 68 points of the iBUG scheme: 0–16 jaw, 17–26 brows, 27–35 nose, 36–47 eyes, 48–67 mouth. */
  landmarks: Point[];
  score: number;
  descriptor?: Float32Array;
}

export interface FaceReport {
  faces: Face[];
  /** The largest face, or null when none was found. */
  face: Face | null;
  notes: string[];
}

/** Detection runs on at most this long a side: the detector sees 416 px anyway, and big photos would cost memory. */
const MAX_SIDE = 1024;
/** Below this box side the descriptor and the inversion have little to go on. */
export const SMALL_FACE = 64;

const area = (f: Face) => (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);

function notesFor(faces: Face[], img: { width: number; height: number }): string[] {
  if (!faces.length) return ['no face found: the centre crop and the head ellipse are used (adjust them, or paint the head by hand)'];
  const notes: string[] = [];
  if (faces.length > 1) notes.push(`${faces.length} faces found: the largest is used`);
  const [x0, y0, x1, y1] = faces[0].box;
  const side = Math.min(x1 - x0, y1 - y0);
  if (side < SMALL_FACE) notes.push(`the face is small (${Math.round(side)} px, under ~${SMALL_FACE}): a closer photo gives a better identity`);
  const margin = 2;
  const cut = x0 < margin || y0 < margin || x1 > img.width - margin || y1 > img.height - margin ||
    faces[0].landmarks.some(([x, y]) => x < 0 || y < 0 || x > img.width || y > img.height);
  if (cut) notes.push('the face is cut by the frame: the automatic crop and mask may miss part of the head');
  return notes;
}

/** Faces in `img`, largest first. `descriptors` adds the 128-D descriptor of each (for identity scores). */
export async function detectFaces(models: FaceModels, img: Rgba, opts: { descriptors?: boolean; minScore?: number } = {}): Promise<FaceReport> {
  const { api } = models;
  const s = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
  const small = s < 1 ? resizeBilinear(img, Math.max(1, Math.round(img.width * s)), Math.max(1, Math.round(img.height * s))) : img;
  const plane = small.width * small.height;
  const rgb = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) for (let k = 0; k < 3; k++) rgb[i * 3 + k] = small.data[i * 4 + k];
  const input = api.tf.tensor3d(rgb, [small.height, small.width, 3], 'float32');
  try {
    const task = api.detectAllFaces(input, new api.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: opts.minScore ?? 0.5 })).withFaceLandmarks();
    const found = opts.descriptors ? await task.withFaceDescriptors() : await task;
    const faces: Face[] = found.map((r) => {
      const b = r.detection.box;
      const f: Face = {
        box: [b.x / s, b.y / s, (b.x + b.width) / s, (b.y + b.height) / s],
        landmarks: r.landmarks.positions.map((p) => [p.x / s, p.y / s] as Point),
        score: r.detection.score,
      };
      if (r.descriptor) f.descriptor = r.descriptor;
      return f;
    });
    faces.sort((a, b) => area(b) - area(a));
    return { faces, face: faces[0] ?? null, notes: notesFor(faces, img) };
  } finally {
    input.dispose();
  }
}
