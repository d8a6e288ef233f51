// weight_dimensions.pt and identity_df.pt as PyTorch and pandas wrote the fixture's: rewritten from what
// the reader gets out of them, byte for byte (so torch.load and pandas read ours as they read theirs).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromBytes } from '../../src/engine/io/source';
import { openPath } from '../../src/engine/io/source-node';
import { openWeightDimensions } from '../../src/engine/space/pt';
import { loadDataFrame } from '../../src/engine/torch/index';
import { saveDataFrame, saveWeightDimensions } from '../../src/engine/torch/write-pickles';
import { spacePath } from './helpers';

const same = (a: Uint8Array, path: string) => Buffer.compare(Buffer.from(a), readFileSync(path)) === 0;

describe('torch.save of non-tensor files', () => {
  it('rewrites weight_dimensions.pt byte for byte', async () => {
    const dims = await openWeightDimensions(await openPath(spacePath('weight_dimensions')));
    expect(dims.length).toBe(128);
    expect(same(saveWeightDimensions(dims), spacePath('weight_dimensions'))).toBe(true);
  });

  it('rewrites identity_df.pt (64 rows × 40 int64 columns, index "file") byte for byte', async () => {
    const df = await loadDataFrame(await openPath(spacePath('identity_df')));
    const cols = df.columns.map((c) => df.column(c));
    const values = new Float64Array(df.rows * cols.length);
    for (let r = 0; r < df.rows; r++) cols.forEach((col, c) => (values[r * cols.length + c] = col[r]));
    const out = saveDataFrame({ columns: df.columns, index: { name: df.index.name, labels: df.index.values.map(String) }, values, dtype: 'int64' });
    expect(same(out, spacePath('identity_df'))).toBe(true);
  });

  it('writes float64 labels, zero columns and names that read back', async () => {
    const labels = Array.from({ length: 1203 }, (_, i) => `lora_${i}`);
    const values = Float64Array.from({ length: 1203 * 2 }, (_, i) => (i % 3) - 0.5);
    const df = await loadDataFrame(fromBytes('x.pt', saveDataFrame({ columns: ['a', 'é b'], index: { name: 'file', labels }, values, dtype: 'float64' })));
    expect([df.rows, df.index.name, df.index.values[1202], ...df.columns]).toEqual([1203, 'file', 'lora_1202', 'a', 'é b']);
    expect(Array.from(df.column('é b').subarray(0, 3))).toEqual([0.5, -0.5, 1.5]);
    const empty = await loadDataFrame(fromBytes('y.pt', saveDataFrame({ columns: [], index: { name: 'file', labels: ['x', 'y'] }, values: new Float64Array(0), dtype: 'int64' })));
    expect([empty.rows, empty.columns.length]).toEqual([2, 0]);
    expect(() => saveDataFrame({ columns: ['a'], index: { name: null, labels: ['x'] }, values: new Float64Array(2), dtype: 'int64' })).toThrow(/1 columns × 1 rows need 1/);
  });
});
