// The tiny w2w space of the fixture, read in place: shapes agree with each other and with the UNet's LoRA
// layout, and the values reproduce the reference's space and direction outputs.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseUNetConfig } from '../../src/engine/io/config';
import { openPath } from '../../src/engine/io/source-node';
import { loraLayout } from '../../src/engine/models/lora';
import { isTensor, loadDataFrame, loadTensor, loadTorch, type TorchTensor } from '../../src/engine/torch/index';
import { fixturePath, openFixture, relErr } from '../helpers/fixture';
import { counting, spacePath } from './helpers';

const open = async (name: string): Promise<TorchTensor> => loadTensor(await openPath(spacePath(name)));

function matvec(m: Float32Array, rows: number, cols: number, x: ArrayLike<number>, transpose = false): Float64Array {
  const out = new Float64Array(transpose ? cols : rows);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      if (transpose) out[c] += m[r * cols + c] * x[r];
      else out[r] += m[r * cols + c] * x[c];
    }
  return out;
}

describe('w2w-space fixture files', async () => {
  const cfg = parseUNetConfig(JSON.parse(await readFile(fixturePath('unet', 'config.json'), 'utf8')));
  const layout = loraLayout(cfg);
  const ref = await openFixture('reference.safetensors');

  it('mean, std, V, proj and pinverse have consistent shapes', async () => {
    const [mean, std, V, proj, pinv] = await Promise.all(['mean', 'std', 'V', 'proj_16pc', 'pinverse_16pc'].map(open));
    const df = await loadDataFrame(await openPath(spacePath('identity_df')));
    expect(mean.shape).toEqual([layout.size]);
    expect(std.shape).toEqual([layout.size]);
    expect(V.shape[0]).toBe(layout.size);
    expect(V.shape).toEqual([layout.size, 48]);
    expect(proj.shape).toEqual([df.rows, 16]);
    expect(pinv.shape).toEqual([16, df.rows]);
    for (const t of [mean, std, V, proj, pinv]) expect(t.dtype).toBe('float32');
  });

  it('reproduces space.theta and space.theta_back', async () => {
    const [mean, std, V] = await Promise.all(['mean', 'std', 'V'].map(open));
    const [m, s, v] = await Promise.all([mean.read(), std.read(), V.read()]);
    const coef = await ref.readFloat32('space.coef');
    const k = V.shape[1];
    const z = matvec(v, layout.size, k, coef);
    const theta = Float32Array.from(z, (x, i) => x * s[i] + m[i]);
    expect(relErr(theta, await ref.readFloat32('space.theta'))).toBeLessThan(1e-5);
    const back = matvec(v, layout.size, k, Float32Array.from(theta, (x, i) => (x - m[i]) / s[i]), true);
    expect(relErr(back, await ref.readFloat32('space.theta_back'))).toBeLessThan(1e-4);
  });

  it('identity_df: 64 rows × 40 CelebA columns indexed by file; directions match the reference', async () => {
    const df = await loadDataFrame(await openPath(spacePath('identity_df')));
    const pinv = await open('pinverse_16pc');
    expect(df.columns).toHaveLength(40);
    expect(df.rows).toBe(64);
    expect(df.index.name).toBe('file');
    expect(df.index.values).toHaveLength(64);
    expect(new Set(df.index.values).size).toBe(64);
    const p = await pinv.read();
    const dirs = ref.keys().filter((key) => key.startsWith('space.direction.') && !key.includes('~'));
    expect(dirs.length).toBeGreaterThanOrEqual(2);
    for (const key of dirs) {
      const y = df.column(key.slice('space.direction.'.length));
      expect(y).toHaveLength(64);
      expect(y.every((x) => x === 1 || x === -1)).toBe(true);
      expect(relErr(matvec(p, 16, 64, y), await ref.readFloat32(key))).toBeLessThan(1e-5);
    }
    expect(() => df.column('No_Such_Attribute')).toThrow(/no column "No_Such_Attribute"/);
  });

  it('weight_dimensions lists the LoRA layout in flat order as [Size([numel]), Size(shape)]', async () => {
    const wd = await loadTorch(await openPath(spacePath('weight_dimensions')));
    expect(wd).toBeInstanceOf(Map);
    const m = wd as Map<string, unknown>;
    expect([...m.keys()]).toEqual(layout.tensors.map((t) => t.key));
    for (const t of layout.tensors) expect(m.get(t.key)).toEqual([[t.size], [...t.shape]]);
  });

  it('readColumns equals slicing a full read, reading at most one chunk at a time', async () => {
    const src = counting(await openPath(spacePath('V')));
    const V = await loadTensor(src);
    expect(isTensor(V)).toBe(true);
    const full = await V.read();
    const [rows, cols] = V.shape;
    for (const k of [0, 1, 7, 48]) {
      src.reads.length = 0;
      const progress: number[] = [];
      const chunkBytes = 65536 + 4 * k;
      const part = await V.readColumns(k, (done, total) => progress.push(done / total), { chunkBytes });
      const expected = new Float32Array(rows * k);
      for (let r = 0; r < rows; r++) expected.set(full.subarray(r * cols, r * cols + k), r * k);
      expect(part.length).toBe(rows * k);
      expect(part.every((x, i) => Object.is(x, expected[i]))).toBe(true);
      expect(Math.max(0, ...src.reads)).toBeLessThanOrEqual(chunkBytes);
      if (k) expect(progress.at(-1)).toBe(1);
    }
    expect(() => V.readColumns(49)).toThrow(/cannot take 49 of 48 columns/);
  });
});
