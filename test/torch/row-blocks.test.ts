// The real V.pt's size: (99648, 10000) float32 row-major, 3.99 GB, as a virtual archive. k = 10000 is more
// than one ArrayBuffer holds, so it is read as row blocks (≤ 1 GiB each) in one forward pass, and the
// space's products run on the blocks. Holds the 3.99 GB output once (RSS ≈ 4.2 GB).
import { describe, expect, it } from 'vitest';
import { rowRange, valueAt } from '../../src/engine/io/row-blocks';
import { coefToTheta, projectRows } from '../../src/engine/space/math';
import { loadTensor } from '../../src/engine/torch/index';
import { value, virtualArchive } from './virtual';

const D = 99648;
const K = 10000;

describe('V_k at k = 10000 as row blocks', () => {
  it('reads 4 blocks of ≤ 1 GiB in one forward pass; values at block edges; θ and xᵀV on the blocks', async () => {
    const src = virtualArchive(D, K, 'row');
    const t = await loadTensor(src);
    expect([t.shape, t.stride]).toEqual([[D, K], [K, 1]]);
    await expect(t.readColumns(K)).rejects.toThrow(/3\.71 GiB, above the 2 GiB one array can hold; read it as row blocks/);
    src.reads.length = 0;
    const v = await t.readRowBlocks(K);

    // 26843 rows per 1 GiB block: 3 full blocks and one of 19119 rows.
    const per = Math.floor(2 ** 30 / (4 * K));
    expect(v.map((b) => b.length / K)).toEqual([per, per, per, D - 3 * per]);
    expect(Math.max(...v.map((b) => b.byteLength))).toBeLessThanOrEqual(2 ** 30);
    // One forward pass: past the entry's local header, every read starts where the previous one ended,
    // ≤ 32 MiB each, and together they cover the storage once.
    const data = src.reads.filter(([o]) => o >= src.dataStart);
    expect(src.reads.length - data.length).toBeLessThanOrEqual(1);
    data.forEach(([o, l], i) => {
      expect(l).toBeLessThanOrEqual(32 * 2 ** 20);
      expect(o).toBe(i ? data[i - 1][0] + data[i - 1][1] : src.dataStart);
    });
    expect(data.reduce((a, [, l]) => a + l, 0)).toBe(D * K * 4);

    const at = (r: number, c: number) => value(r * K + c);
    for (const r of [0, 1, per - 1, per, per + 1, 2 * per, 3 * per - 1, 3 * per, D - 1])
      for (const c of [0, 1, 4097, K - 1]) expect(valueAt(v, K, r, c), `(${r}, ${c})`).toBe(at(r, c));
    expect(Array.from(rowRange(v, K, per, per + 1).subarray(0, 3))).toEqual([at(per, 0), at(per, 1), at(per, 2)]);

    // θ_j = (c · V[j]) std_j + mean_j, checked at rows around the block edges against float64 sums.
    const c = Float32Array.from({ length: K }, (_, i) => ((i * 37) % 101) / 101 - 0.5);
    const std = Float32Array.from({ length: D }, (_, j) => (j % 3 ? 1.5 : -0.5));
    const mean = Float32Array.from({ length: D }, (_, j) => (j % 7) * 0.01);
    const theta = coefToTheta(c, v, K, std, mean);
    for (const j of [0, per - 1, per, 2 * per + 5, D - 1]) {
      let s = 0;
      for (let i = 0; i < K; i++) s += c[i] * at(j, i);
      expect(Math.abs(theta[j] - (s * std[j] + mean[j]))).toBeLessThanOrEqual(1e-6 * Math.abs(s * std[j]) + 1e-3);
    }
    // xᵀV with x one-hot on a row whose pair (per − 1, per) straddles blocks 0 and 1 is exactly that row.
    const x = new Float64Array(D);
    x[per] = 1;
    const row = projectRows(x, v, K);
    expect(Buffer.from(row.buffer).equals(Buffer.from(rowRange(v, K, per, per + 1).slice().buffer))).toBe(true);
    expect(process.memoryUsage().rss).toBeLessThan(5e9);
  }, 600_000);
});
