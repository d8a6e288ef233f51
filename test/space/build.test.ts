// build-space on 200 synthetic LoRAs written as real files (kohya, PEFT + adapter_config.json, diffusers),
// run as users run it: against a dense float64 PCA of the same matrix, through the app's space loader and
// the file-format checks, and an identity exported from the built space and imported back.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUNetConfig } from '../../src/engine/io/config';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { fromBytes } from '../../src/engine/io/source';
import { openPath } from '../../src/engine/io/source-node';
import { loraLayout, type LoraLayout } from '../../src/engine/models/lora';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import { openDataFrame, openTensor, openWeightDimensions } from '../../src/engine/space/pt';
import type { Space } from '../../src/engine/space/space';
import { exportIdentity, importIdentity } from '../../src/engine/space/transfer';
import { fixturePath, relErr } from '../helpers/fixture';
import { syntheticFlats, writeLoras } from './build-loras';
import { densePca, largestPrincipalAngle } from './dense-pca';

const N = 200;
const K = 12;

describe('build-space', () => {
  let layout: LoraLayout;
  let flats: Float32Array[];
  let names: string[];
  let out: string;
  let stdout: string;
  let space: Space;

  beforeAll(async () => {
    layout = loraLayout(parseUNetConfig(await folderFromPath(fixturePath()).json('unet/config.json')));
    const dir = await mkdtemp(join(tmpdir(), 'w2w-build-'));
    flats = syntheticFlats(layout, N, 7);
    names = await writeLoras(join(dir, 'loras'), layout, flats);
    // Labels by name, rows shuffled: the CSV's order must not matter with a file column.
    const rows = names.map((n, i) => `${n}.safetensors,${i % 2 ? 1 : -1},${i % 3 === 0 ? 1 : 0}`).reverse();
    await writeFile(join(dir, 'labels.csv'), ['file,Male,Eyeglasses', ...rows].join('\n'));
    out = join(dir, 'space');
    const args = ['build-space', '--loras', join(dir, 'loras'), '--labels', join(dir, 'labels.csv'), '--components', String(K), '--out', out, '--model', fixturePath()];
    ({ stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd() }));
    space = await loadSpace(spaceFolderFromPath(out), { layout, k: K });
  }, 120_000);

  it('reproduces a dense float64 PCA: singular values ≤ 1e-4 relative, principal angles ≤ 1e-3 rad', async () => {
    const ref = densePca(flats, K);
    const printed = [...stdout.matchAll(/^\s+(\d+)\s+([\d.e+]+)\s+([\d.]+)%\s+([\d.]+)%$/gm)];
    expect(printed.map((m) => Number(m[1]))).toEqual(Array.from({ length: K }, (_, i) => i + 1));
    printed.forEach((m, i) => {
      expect(Math.abs(Number(m[2]) - ref.s[i]) / ref.s[i]).toBeLessThan(1e-4);
      expect(Number(m[3])).toBeCloseTo((100 * ref.s[i] ** 2) / ref.total, 1);
    });
    const v = await (await openTensor(await openPath(join(out, 'V.pt')))).read();
    const angle = largestPrincipalAngle(v, ref.v, layout.size, K);
    expect(angle).toBeLessThan(1e-3);
    // Component by component too (the spectrum has no ties): each column against its own.
    for (let j = 0; j < K; j++) expect(largestPrincipalAngle(column(v, K, j), column(ref.v, K, j), layout.size, 1)).toBeLessThan(1e-3);
  });

  it('writes the official file set in its formats, and the app loads it', async () => {
    const d = layout.size;
    const shapes: Record<string, number[]> = { 'mean.pt': [d], 'std.pt': [d], 'V.pt': [d, K], [`proj_${K}pc.pt`]: [N, K], [`pinverse_${K}pc.pt`]: [K, N] };
    for (const [file, shape] of Object.entries(shapes)) {
      const t = await openTensor(await openPath(join(out, file)));
      expect([file, t.dtype, ...t.shape]).toEqual([file, 'float32', ...shape]);
    }
    const dims = await openWeightDimensions(await openPath(join(out, 'weight_dimensions.pt')));
    expect(dims.map((x) => [x.key, x.shape])).toEqual(layout.tensors.map((t) => [t.key, [...t.shape]]));
    const df = await openDataFrame(await openPath(join(out, 'identity_df.pt')));
    expect([df.index.name, df.rows, ...df.columns]).toEqual(['file', N, 'Male', 'Eyeglasses']);
    expect(df.index.values).toEqual(names);
    expect(Array.from(df.column('Male').subarray(0, 4))).toEqual([-1, 1, -1, 1]);
    // The loader checked every file against the others; its mean and std are the data's (unbiased std).
    expect([space.k, space.models, ...space.labelColumns]).toEqual([K, N, 'Male', 'Eyeglasses']);
    const mean = await (await openTensor(await openPath(join(out, 'mean.pt')))).read();
    const std = await (await openTensor(await openPath(join(out, 'std.pt')))).read();
    for (const t of [0, 1234, d - 1]) {
      const col = flats.map((f) => f[t]);
      const mu = col.reduce((a, b) => a + b, 0) / N;
      expect(mean[t]).toBeCloseTo(mu, 7);
      expect(std[t] / Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / (N - 1))).toBeCloseTo(1, 5);
    }
    // pinverse @ proj = I_K (proj has full column rank).
    const proj = await (await openTensor(await openPath(join(out, `proj_${K}pc.pt`)))).read();
    const pinv = await (await openTensor(await openPath(join(out, `pinverse_${K}pc.pt`)))).read();
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) {
        let s = 0;
        for (let m = 0; m < N; m++) s += pinv[i * N + m] * proj[m * K + j];
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-4);
      }
  });

  it("holds every training LoRA's coefficients: importing its file gives its proj row", async () => {
    const row = 5; // a kohya file
    const got = await importIdentity(space, layout, await openPath(join(out, '..', 'loras', `${names[row]}.safetensors`)));
    const proj = await (await openTensor(await openPath(join(out, `proj_${K}pc.pt`)))).read();
    expect(relErr(got.coef, proj.subarray(row * K, (row + 1) * K))).toBeLessThan(1e-5);
  });

  it('round-trips an identity: export from the built space, import, same coefficients', async () => {
    const coef = space.edit(space.sample(3, 0.8), [{ direction: 'Male', slider: 0.5 }]);
    for (const format of ['kohya', 'w2w'] as const) {
      const [file] = exportIdentity(space, layout, coef, format);
      const back = await importIdentity(space, layout, fromBytes(file.path, file.bytes));
      expect(back.residual).toBeLessThan(1e-5);
      expect(relErr(back.coef, coef)).toBeLessThan(1e-5);
    }
  });
});

const column = (m: Float32Array | Float64Array, k: number, j: number) => Float64Array.from({ length: m.length / k }, (_, t) => m[t * k + j]);
