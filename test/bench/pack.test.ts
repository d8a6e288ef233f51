// `npm run bench:pack` writes one folder that runs the bench with nothing but node: unpacked into a temp
// directory and started with only node on PATH (no npm, no tsx, no checkout), its tiny case gives a row.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../bench/report';
import { TINY } from '../helpers/fixture';

const run = promisify(execFile);
const size = (p: string): number => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(path.join(p, f)), 0) : statSync(p).size);

describe('bench:pack', () => {
  it('packs ≤ 40 MB that runs the tiny case with only node on PATH', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'w2w-pack-'));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/pack.ts', '--out', path.join(tmp, 'built')], { cwd: process.cwd() });
    const built = stdout.trim().split('\n').pop()!;
    expect(built).toBe(path.join(tmp, 'built'));
    expect(size(built)).toBeLessThanOrEqual(40 * 2 ** 20);
    // Elsewhere, with a PATH holding node alone.
    const folder = path.join(tmp, 'elsewhere', 'bench');
    cpSync(built, folder, { recursive: true });
    mkdirSync(path.join(tmp, 'bin'));
    symlinkSync(process.execPath, path.join(tmp, 'bin', 'node'));
    const out = path.join(tmp, 'results.json');
    await run('node', [path.join(folder, 'bench.mjs'), '--models', 'tiny', '--precisions', 'fp32', '--tasks', 'forward', '--engines', 'ort',
      '--memory', 'fast', '--runs', '1', '--no-docs', '--out', out], {
      cwd: tmp, env: { PATH: path.join(tmp, 'bin'), HOME: tmp, W2W_TINY_FIXTURE: TINY },
    });
    const res = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(res.cases).toHaveLength(1);
    expect(res.cases[0].ort?.error).toBeUndefined();
    expect(res.cases[0].ort).toMatchObject({ finite: true, provider: 'cpu' });
    expect(res.cases[0].ort!.times_ms!.length).toBe(1);
  }, 300_000);
});
