// A > 4 GiB archive with ZIP64 fields (sizes and offsets in the extra field, ZIP64 end records), as torch
// writes for big tensors. The storage is virtual — generated on each read — so nothing is allocated,
// and the streaming reader must only touch the span the first columns occupy, one bounded chunk at a time.
import { describe, expect, it } from 'vitest';
import { joinBlocks } from '../../src/engine/io/row-blocks';
import { loadTensor } from '../../src/engine/torch/index';
import { value, virtualArchive } from './virtual';

// Shape (rows, cols) stored column-major (a transposed view): stride (1, rows), 4.4 GB.
const rows = 1_000_000;
const cols = 1100;

describe('ZIP64 archive above 4 GiB', () => {
  it('finds the entries past 4 GiB and streams the first columns of a transposed tensor', async () => {
    const src = virtualArchive(rows, cols, 'col');
    expect(src.size).toBeGreaterThan(2 ** 32);
    const t = await loadTensor(src);
    expect(t.shape).toEqual([rows, cols]);
    expect(t.stride).toEqual([1, rows]);
    src.reads.length = 0;
    const k = 2;
    const chunkBytes = 1 << 20;
    const got = await t.readColumns(k, undefined, { chunkBytes });
    for (let r = 0; r < rows; r += 997) for (let c = 0; c < k; c++) expect(got[r * k + c]).toBe(value(c * rows + r));
    expect(got[rows * k - 1]).toBe(value((k - 1) * rows + rows - 1));
    expect(Math.max(...src.reads.map(([, l]) => l))).toBeLessThanOrEqual(chunkBytes);
    // Only the k·rows elements of the first columns, plus a 30+name byte local header.
    expect(src.reads.reduce((a, [, l]) => a + l, 0)).toBeLessThan(k * rows * 4 + 100);
    await expect(t.read()).rejects.toThrow(/big\.pt: tensor \(1000000, 1100\) float32: .*above the 2 GiB one array can hold/);

    // As row blocks (3 rows of 2 per 24-byte block, the last one short): the same values, the same single
    // forward pass over the span (each block is scattered across the whole span in a transposed view).
    src.reads.length = 0;
    const blocks = await t.readRowBlocks(k, { chunkBytes, maxBlockBytes: 24 });
    expect(blocks.length).toBe(Math.ceil(rows / 3));
    expect(blocks.at(-1)!.length).toBe((rows % 3) * k);
    expect(Buffer.from(joinBlocks(blocks).buffer).equals(Buffer.from(got.buffer))).toBe(true);
    expect(src.reads.every(([o], i) => i === 0 || o >= src.reads[i - 1][0] + src.reads[i - 1][1])).toBe(true);
    expect(src.reads.reduce((a, [, l]) => a + l, 0)).toBeLessThan(k * rows * 4 + 100);
  });
});
