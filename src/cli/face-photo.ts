// What `mask`, `score` and `invert --auto-*` share: a PNG photo read and decoded, its faces found.
import { readFile } from 'node:fs/promises';
import { detectFaces, type FaceReport } from '../engine/face/detect';
import { loadImage } from '../engine/invert/intake';
import type { Rgba } from '../engine/sd/image';
import { faceModelsNode } from './face-node';
import { decodeImageNode } from './png';

export async function readPhotoNode(path: string): Promise<Rgba> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return loadImage({ name: path, bytes }, decodeImageNode);
}

/** The photo's faces, or — when the face models cannot load — none, with the reason as a note (the manual tools still work). */
export async function facesOrNote(img: Rgba): Promise<FaceReport> {
  let models;
  try {
    models = await faceModelsNode();
  } catch (e) {
    return { faces: [], face: null, notes: [`face models unavailable (${(e as Error).message}): the centre crop and the head ellipse are used`] };
  }
  return detectFaces(models, img);
}
