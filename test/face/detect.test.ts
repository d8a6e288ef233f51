// Detection, automatic crop and head mask on real photos (astronaut.png: one frontal face; chelsea.png: a cat).
import { beforeAll, describe, expect, it } from 'vitest';
import { faceModelsNode } from '../../src/cli/face-node';
import { autoFrame, detectFaces, fillPolygon, HEAD_FILL, headCrop, type FaceModels, type FaceReport } from '../../src/engine/face/index';
import { HEAD_ELLIPSE } from '../../src/engine/invert/mask';
import type { Rgba } from '../../src/engine/sd/image';
import { readPhoto } from './photos';

const on = (m: Rgba, x: number, y: number) => m.data[(Math.floor(y) * m.width + Math.floor(x)) * 4] === 255;
const share = (m: Rgba, x0: number, y0: number, x1: number, y1: number) => {
  let n = 0, all = 0;
  for (let y = Math.floor(y0); y < y1; y++) for (let x = Math.floor(x0); x < x1; x++, all++) n += on(m, x, y) ? 1 : 0;
  return n / all;
};

let models: FaceModels;
beforeAll(async () => {
  models = await faceModelsNode();
});

describe('astronaut.png', () => {
  let img: Rgba;
  let report: FaceReport;
  beforeAll(async () => {
    img = await readPhoto('astronaut.png');
    report = await detectFaces(models, img);
  });

  it('finds one face, its box inside the head (x 150–290, y 40–210 of 512) and its landmarks inside the box', () => {
    expect(report.faces).toHaveLength(1);
    expect(report.notes).toEqual([]);
    const [x0, y0, x1, y1] = report.face!.box;
    expect([x0, y0]).toEqual([expect.toSatisfy((v: number) => v > 150), expect.toSatisfy((v: number) => v > 40)]);
    expect([x1, y1]).toEqual([expect.toSatisfy((v: number) => v < 290), expect.toSatisfy((v: number) => v < 210)]);
    expect(x1 - x0).toBeGreaterThan(80);
    expect(report.face!.landmarks).toHaveLength(68);
    // Nose tip (30) inside the box, chin (8) below the eyes (36–47).
    const [nx, ny] = report.face!.landmarks[30];
    expect(nx > x0 && nx < x1 && ny > y0 && ny < y1).toBe(true);
    expect(report.face!.landmarks[8][1]).toBeGreaterThan(Math.max(...report.face!.landmarks.slice(36, 48).map((p) => p[1])));
  });

  it('the head mask covers the face box and hair, leaves out the bottom quarter and the corners, and is one solid blob', () => {
    const { mask, fromFace, crop } = autoFrame(report, img);
    expect(fromFace).toBe(true);
    expect([mask.width, mask.height]).toEqual([512, 512]);
    const [x0, y0, x1, y1] = report.face!.box;
    // The face: every landmark, and every pixel of the region the jaw line and the brows enclose.
    const lm = report.face!.landmarks;
    for (const [x, y] of lm) expect(on(mask, x, y)).toBe(true);
    const face = fillPolygon([...lm.slice(0, 17), ...lm.slice(17, 27).reverse()], 512, 512);
    let inFace = 0;
    for (let p = 0; p < face.data.length; p += 4) if (face.data[p] === 255) {
      inFace++;
      expect(mask.data[p]).toBe(255);
    }
    expect(inFace).toBeGreaterThan(5000);
    // Hair above the face box (the astronaut's hair reaches ~y 20).
    expect(on(mask, (x0 + x1) / 2, y0 - 30)).toBe(true);
    expect(share(mask, 0, 384, 512, 512)).toBe(0);
    for (const [x, y] of [[0, 0], [511, 0], [0, 511], [511, 511]]) expect(share(mask, Math.max(0, x - 40), Math.max(0, y - 40), Math.min(512, x + 40), Math.min(512, y + 40))).toBe(0);
    // A head, not the picture: between 4 % and 25 % of it.
    const all = share(mask, 0, 0, 512, 512);
    expect(all).toBeGreaterThan(0.04);
    expect(all).toBeLessThan(0.25);
    // Solid: every row of the mask is one run.
    for (let y = 0; y < 512; y++) {
      const row = Array.from({ length: 512 }, (_, x) => on(mask, x, y));
      expect(row.filter((v, x) => v && !row[x - 1]).length).toBeLessThanOrEqual(1);
    }
    expect(crop).toBeDefined();
  });

  it('the crop is a square inside the photo, centred across the head, with the head about 60 % of its side', () => {
    const c = headCrop(report.face!, img);
    expect(c.x).toBeGreaterThanOrEqual(0);
    expect(c.y).toBeGreaterThanOrEqual(0);
    expect(c.x + c.size).toBeLessThanOrEqual(512);
    expect(c.y + c.size).toBeLessThanOrEqual(512);
    const [x0, , x1] = report.face!.box;
    expect(Math.abs(c.x + c.size / 2 - (x0 + x1) / 2)).toBeLessThan(0.05 * c.size);
    expect(c.size).toBeGreaterThan((x1 - x0) / HEAD_FILL);
    expect(c.size).toBeLessThan(512 * 0.7);
  });
});

describe('chelsea.png (a cat)', () => {
  it('finds no human face and falls back to the centre crop and head ellipse, with the note', async () => {
    const img = await readPhoto('chelsea.png');
    const report = await detectFaces(models, img);
    expect(report.faces).toEqual([]);
    expect(report.notes).toEqual([expect.stringMatching(/^no face found/)]);
    const frame = autoFrame(report, img);
    expect(frame.fromFace).toBe(false);
    expect(frame.crop).toBeUndefined();
    // The ellipse sits in the centre square (300 px high, x 75.5–375.5): its centre is on, the left and right bands are off.
    const s = 300;
    expect(on(frame.mask, 225, HEAD_ELLIPSE.cy * s)).toBe(true);
    expect(share(frame.mask, 0, 0, 70, 300)).toBe(0);
    expect(share(frame.mask, 381, 0, 451, 300)).toBe(0);
  });
});
