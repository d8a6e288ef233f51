// Identity scores: descriptor similarity on real photos, and the `score` command end to end on the fixture.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { faceModelsNode } from '../../src/cli/face-node';
import { keepBest, SAME_PERSON_DISTANCE, scoreImages, type FaceModels } from '../../src/engine/face/index';
import { mirrored, rescaled } from '../../src/engine/face/transform';
import { writeCoefficients } from '../../src/engine/space/pt';
import type { Rgba } from '../../src/engine/sd/image';
import { fixturePath } from '../helpers/fixture';
import { photoPath, readPhoto } from './photos';

let models: FaceModels;
let astronaut: Rgba;
beforeAll(async () => {
  models = await faceModelsNode();
  astronaut = await readPhoto('astronaut.png');
});

describe('identity score on photos', () => {
  it('a mirrored copy at 0.6× scale is the same person by the model\'s threshold, near the top of the scale', async () => {
    const r = await scoreImages(models, astronaut, [{ seed: 7, image: rescaled(mirrored(astronaut), 0.6) }]);
    expect(r.images).toHaveLength(1);
    expect(r.images[0]).toMatchObject({ seed: 7, face: true });
    expect(r.images[0].distance!).toBeLessThan(SAME_PERSON_DISTANCE / 2);
    expect(r.samePerson).toBe(1);
    expect(r.score!).toBeGreaterThan(0.95);
    expect(r.score!).toBeLessThanOrEqual(1);
    expect(r.notes).toEqual([]);
  });

  it('an image without a face counts 0 and is reported; a photo without a face gives no score', async () => {
    const cat = await readPhoto('chelsea.png');
    const r = await scoreImages(models, astronaut, [{ seed: 0, image: astronaut }, { seed: 1, image: cat }]);
    expect(r.images.map((i) => [i.face, i.distance === null])).toEqual([[true, false], [false, true]]);
    expect(r.images[1].similarity).toBe(0);
    // The photo against itself is 1; the mean over the two is half that.
    expect(r.images[0].similarity).toBeCloseTo(1, 5);
    expect(r.score!).toBeCloseTo(0.5, 5);
    expect(r.notes).toEqual(['1 of 2 generated images show no face (counted as 0)']);
    const none = await scoreImages(models, cat, [{ seed: 0, image: astronaut }]);
    expect(none).toMatchObject({ score: null, images: [], notes: [expect.stringMatching(/^no face found in the photo/)] });
  });
});

describe('the best preview of an inversion', () => {
  const at = (step: number, score: number) => ({ step, score, coef: new Float32Array([step]) });
  it('a higher score replaces the best; an equal or lower one does not', () => {
    let best = keepBest(undefined, at(5, 0.4));
    expect(best.step).toBe(5);
    for (const [step, score, kept] of [[10, 0.6, 10], [15, 0.6, 10], [20, 0.2, 10], [25, 0.61, 25]] as const) {
      best = keepBest(best, at(step, score));
      expect([best.step, best.coef[0]]).toEqual([kept, kept]);
    }
  });
});

describe('score command', () => {
  it('scores the fixture model\'s mean identity end to end: random weights draw no face, so every image is 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'w2w-score-'));
    const identity = join(dir, 'mean.pt');
    await writeFile(identity, writeCoefficients(new Float32Array(48)));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'score',
      '--model', fixturePath(), '--space', fixturePath('w2w-space'), '--identity', identity, '--image', photoPath('astronaut.png'),
      '--samples', '2', '--seed', '3', '--steps', '2', '--size', '64'], { cwd: process.cwd() });
    expect(stdout).toMatch(/^note: 2 of 2 generated images show no face \(counted as 0\)$/m);
    expect(stdout.match(/^seed \d: .*$/gm)).toEqual(['seed 3: no face (0)', 'seed 4: no face (0)']);
    expect(stdout).toMatch(/^score: 0\.0000 \(0\/2 images the same person: descriptor distance < 0\.6\)$/m);
  });
});
