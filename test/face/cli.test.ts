// `mask` and `invert --auto-mask --auto-crop` as users run them, on the real photos and the fixture model.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../src/cli/png';
import { fixturePath } from '../helpers/fixture';
import { photoPath } from './photos';

const cli = async (...args: string[]) => (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd() })).stdout;

describe('face commands', () => {
  it('mask --auto-crop writes the crop\'s binary head mask and prints the crop; without a face the ellipse, with the note', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'w2w-mask-'));
    const log = await cli('mask', '--image', photoPath('astronaut.png'), '--out', join(dir, 'a.png'), '--auto-crop');
    const [x, y, side] = log.match(/^crop: (.*)$/m)![1].split(',').map(Number);
    expect(x + side).toBeLessThanOrEqual(512);
    expect(y).toBeGreaterThanOrEqual(0);
    const m = decodePng(await readFile(join(dir, 'a.png')));
    expect([m.width, m.height]).toEqual([Math.round(side), Math.round(side)]);
    const values = new Set<number>();
    let on = 0;
    for (let p = 0; p < m.data.length; p += 4) {
      values.add(m.data[p]);
      if (m.data[p] === 255) on++;
    }
    expect([...values].sort()).toEqual([0, 255]);
    // The head fills roughly the middle of the crop: between 15 % and 60 % of it is head.
    expect(on / (m.width * m.height)).toBeGreaterThan(0.15);
    expect(on / (m.width * m.height)).toBeLessThan(0.6);
    const cat = await cli('mask', '--image', photoPath('chelsea.png'), '--out', join(dir, 'c.png'));
    expect(cat).toMatch(/^note: no face found/m);
    expect(decodePng(await readFile(join(dir, 'c.png'))).width).toBe(451);
  });

  it('invert --auto-mask --auto-crop runs on the face\'s crop and mask', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'w2w-inv-face-')), 'w.pt');
    const log = await cli('invert', '--model', fixturePath(), '--space', fixturePath('w2w-space'), '--image', photoPath('astronaut.png'),
      '--auto-mask', '--auto-crop', '--size', '64', '--components', '8', '--steps', '1', '--out', out);
    expect(log).toMatch(/^crop: \d+(\.\d+)?,\d+(\.\d+)?,\d+(\.\d+)?$/m);
    expect(log).toMatch(/^step 1\/1 loss \d/m);
    await expect(cli('invert', '--image', photoPath('astronaut.png'), '--mask', 'm.png', '--auto-mask', '--out', out)).rejects.toThrow(/give either --mask FILE or --auto-mask/);
  });
});
