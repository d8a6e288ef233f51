// The detector's notes on composed photos: two people (the larger is used), a small face, a face cut by the frame.
import { beforeAll, describe, expect, it } from 'vitest';
import { faceModelsNode } from '../../src/cli/face-node';
import { detectFaces, type FaceModels } from '../../src/engine/face/index';
import { rescaled } from '../../src/engine/face/transform';
import type { Rgba } from '../../src/engine/sd/image';
import { readPhoto } from './photos';

/** `parts` pasted left to right on a black canvas as tall as the tallest. */
function sideBySide(...parts: Rgba[]): Rgba {
  const width = parts.reduce((w, p) => w + p.width, 0);
  const height = Math.max(...parts.map((p) => p.height));
  const data = new Uint8ClampedArray(width * height * 4);
  let x0 = 0;
  for (const p of parts) {
    for (let y = 0; y < p.height; y++) data.set(p.data.subarray(y * p.width * 4, (y + 1) * p.width * 4), (y * width + x0) * 4);
    x0 += p.width;
  }
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width, height, data };
}

/** The left `w` columns of `img`. */
function leftPart(img: Rgba, w: number): Rgba {
  const data = new Uint8ClampedArray(w * img.height * 4);
  for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width * 4, (y * img.width + w) * 4), y * w * 4);
  return { width: w, height: img.height, data };
}

let models: FaceModels;
let astronaut: Rgba;
beforeAll(async () => {
  models = await faceModelsNode();
  astronaut = await readPhoto('astronaut.png');
});

describe('detection notes', () => {
  it('two people: both found, the larger one used, and said so', async () => {
    const r = await detectFaces(models, sideBySide(astronaut, rescaled(astronaut, 0.8)));
    expect(r.faces).toHaveLength(2);
    expect(r.notes).toEqual(['2 faces found: the largest is used']);
    // The full-size copy (left, face ~116 px) is first.
    expect(r.face!.box[2]).toBeLessThan(512);
    expect(r.faces[1].box[0]).toBeGreaterThan(512);
  });

  it('a face under ~64 px gets the "small" note', async () => {
    const r = await detectFaces(models, rescaled(astronaut, 0.4));
    expect(r.faces).toHaveLength(1);
    expect(r.notes).toEqual([expect.stringMatching(/^the face is small \(\d\d px, under ~64\)/)]);
  });

  it('a face cut by the frame gets the "cut" note', async () => {
    const r = await detectFaces(models, leftPart(astronaut, 250));
    expect(r.faces.length).toBeGreaterThan(0);
    expect(r.notes).toContain('the face is cut by the frame: the automatic crop and mask may miss part of the head');
  });
});
