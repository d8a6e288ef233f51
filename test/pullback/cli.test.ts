// `npm run cli -- directions` as users run it (child process), on the fixture's pullback point.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { openSafetensors } from '../../src/engine/io/safetensors';
import { openPath } from '../../src/engine/io/source-node';
import { principalAngles } from '../../src/engine/pullback/linalg';
import { fixturePath, openFixture, relErr } from '../helpers/fixture';

const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'directions', ...args], { cwd: process.cwd() });
const rows = (d: Float32Array, n: number) => Array.from({ length: n }, (_, i) => d.subarray((i * d.length) / n, ((i + 1) * d.length) / n));

it('writes x_t and coefficient directions matching the fixture, with cosines against every label', async () => {
  const out = join(await mkdtemp(join(tmpdir(), 'w2w-')), 'directions.safetensors');
  const common = ['--model', fixturePath(), '--inputs', fixturePath('pullback.safetensors'), '--n', '2', '--out', out];
  await expect(run(...common)).rejects.toThrow(/--inputs has pullback\.coef: pass --space/);
  await run(...common, '--space', fixturePath('w2w-space'), '--k', '48');
  const [got, ref] = [await openSafetensors(await openPath(out)), await openFixture('pullback.safetensors')];
  for (const [sv, dirs, each] of [['singular_values', 'directions', 1024], ['coef_singular_values', 'coef_directions', 48]] as const) {
    const expected = await ref.readFloat32(`pullback.${sv}`);
    expect(relErr(await got.readFloat32(`pullback.${sv}`), expected.subarray(0, 2))).toBeLessThan(1e-3);
    const [a, b] = [await got.readFloat32(`pullback.${dirs}`), (await ref.readFloat32(`pullback.${dirs}`)).subarray(0, 2 * each)];
    expect(Math.max(...principalAngles(rows(a, 2), rows(b, 2)))).toBeLessThan(1e-2);
  }
  const columns = JSON.parse(got.metadata.coef_cosine_columns) as string[];
  expect(columns).toContain('Young');
  expect(got.info('pullback.coef_cosines').shape).toEqual([2, columns.length]);
});
