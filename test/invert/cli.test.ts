// `invert` as users run it (`npm run cli -- invert …`), in a child process against the fixture.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openPath } from '../../src/engine/io/source-node';
import { loadTensor } from '../../src/engine/torch/index';
import { fixturePath } from '../helpers/fixture';
import { pngClaiming } from './pixels';

const run = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'invert', ...args], { cwd: process.cwd() })).stdout;
const common = ['--model', fixturePath(), '--space', fixturePath('w2w-space'), '--image', fixturePath('inversion-photo.png')];

describe('invert cli', () => {
  it('writes w2wmodel.pt as a (1, K) float32 torch tensor and prints the loss per step; a checkpoint resumes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'w2w-inv-'));
    const out = join(dir, 'w2wmodel.pt');
    const ckpt = join(dir, 'run.ckpt');
    const args = [...common, '--mask', fixturePath('inversion-mask.png'), '--size', '64', '--components', '12', '--seed', '5',
      '--checkpoint', ckpt, '--checkpoint-every', '2'];
    const log = await run(...args, '--eval', fixturePath('inversion-eval.safetensors'), '--steps', '3', '--out', out);
    expect(log.match(/^step \d\/3 loss \d\.\d+/gm)).toHaveLength(3);
    expect(log).toMatch(/eval loss \(mean model, c = 0\): 0\.41405/);
    const t = await loadTensor(await openPath(out));
    expect([t.dtype, t.shape]).toEqual(['float32', [1, 12]]);
    const first = await t.read();
    expect(first.some((x) => x !== 0)).toBe(true);
    // Continuing the same run to 4 steps from its step-3 checkpoint.
    const more = await run(...args, '--steps', '4', '--out', out);
    expect(more).toMatch(/resuming .*run\.ckpt at step 3/);
    expect(more.match(/^step \d\/4/gm)).toEqual(['step 4/4']);
  });

  it('the preset falls back to the components the space has, with a note', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'w2w-inv-')), 'w.pt');
    const log = await run(...common, '--preset', 'painting', '--size', '64', '--steps', '1', '--out', out);
    expect(log).toMatch(/note: the space holds 48 principal components, fewer than the painting preset's 1000; using 48/);
    expect((await loadTensor(await openPath(out))).shape).toEqual([1, 48]);
  });

  it('bad images are refused with the file named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'w2w-inv-'));
    const huge = join(dir, 'huge.png');
    const text = join(dir, 'notes.png');
    await writeFile(huge, pngClaiming(20000, 20000));
    await writeFile(text, 'just text');
    const base = ['--model', fixturePath(), '--space', fixturePath('w2w-space'), '--out', join(dir, 'o.pt')];
    await expect(run(...base, '--image', huge)).rejects.toThrow(/huge\.png: image is 20000×20000 \(400\.0 megapixels\)/);
    await expect(run(...base, '--image', text)).rejects.toThrow(/notes\.png: not an image/);
    await expect(run(...base, '--image', join(dir, 'missing.png'))).rejects.toThrow(/missing\.png: cannot read \(ENOENT\)/);
  });
});
