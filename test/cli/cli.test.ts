// The CLI as users run it (`npm run cli -- …` = tsx src/cli/main.ts), in a child process.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../src/cli/png';
import { openSafetensors } from '../../src/engine/io/safetensors';
import { openPath } from '../../src/engine/io/source-node';
import { fixturePath } from '../helpers/fixture';

const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd() });

describe('cli', () => {
  it('eval writes the engine keys for a fixture inputs file', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'w2w-')), 'out.safetensors');
    await run('eval', '--model', fixturePath(), '--inputs', fixturePath('reference.safetensors'), '--out', out, '--prompt', 'a photo of sks person', '--prompt', 'sks person');
    const f = await openSafetensors(await openPath(out));
    expect(f.keys().sort()).toContain('vae.decoded');
    expect(f.info('clip.prompt_ids').shape).toEqual([2, 77]);
    expect(f.info('pipe.pndm.timesteps').dtype).toBe('I64');
  });

  it('generate writes a PNG of the requested size, the same for the same seed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'w2w-'));
    const gen = (name: string, seed: string) =>
      run('generate', '--model', fixturePath(), '--prompt', 'sks person', '--steps', '3', '--seed', seed, '--width', '128', '--height', '64', '--out', join(dir, name));
    await gen('a.png', '1');
    await gen('b.png', '1');
    await gen('c.png', '2');
    const [a, b, c] = await Promise.all(['a.png', 'b.png', 'c.png'].map(async (n) => decodePng(await readFile(join(dir, n)))));
    expect([a.width, a.height]).toEqual([128, 64]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
  });

  it('a folder without a model names the missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'w2w-'));
    await expect(run('eval', '--model', dir, '--inputs', fixturePath('reference.safetensors'), '--out', join(dir, 'o'))).rejects.toThrow(
      /missing file: unet\/config\.json/,
    );
  });

  it('an image size the model cannot take is refused up front', async () => {
    await expect(
      run('generate', '--model', fixturePath(), '--prompt', 'sks person', '--width', '64', '--height', '32', '--out', '/dev/null'),
    ).rejects.toThrow(/image size 64×32: width and height must be multiples of 64/);
  });

  it('--memory low gives the same image as the default to 8-bit rounding; an unknown mode is named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'w2w-'));
    const gen = (name: string, ...extra: string[]) =>
      run('generate', '--model', fixturePath(), '--prompt', 'sks person', '--steps', '2', '--seed', '4', '--width', '64', '--height', '64', '--out', join(dir, name), ...extra);
    await gen('fast.png');
    await gen('low.png', '--memory', 'low');
    const [fast, low] = await Promise.all(['fast.png', 'low.png'].map(async (n) => decodePng(await readFile(join(dir, n)))));
    expect(Math.max(...fast.data.map((v, i) => Math.abs(v - low.data[i])))).toBeLessThanOrEqual(1);
    await expect(gen('x.png', '--memory', 'tiny')).rejects.toThrow(/--memory must be one of fast, low, got tiny/);
  });

  it('an unknown flag is named', async () => {
    await expect(run('generate', '--modle', 'x')).rejects.toThrow(/unknown flag --modle/);
  });
});
