// A > 4 GiB archive with ZIP64 fields (sizes and offsets in the extra field, ZIP64 end records), as torch
// writes for big tensors. The storage is virtual — generated on each read — so nothing is allocated,
// and the streaming reader must only touch the span the first columns occupy, one bounded chunk at a time.
import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../../src/engine/io/source';
import { crc32 } from '../../src/engine/torch/crc32';
import { loadTensor } from '../../src/engine/torch/index';
import { pk, str, u32 } from './helpers';

const u64 = (n: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const u16 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, n >> 8);
const value = (e: number): number => (e % 4099) - 2000;

// Shape (rows, cols) stored column-major (a transposed view): stride (1, rows).
const rows = 1_000_000;
const cols = 1100;
const numel = rows * cols;
const size = numel * 4; // 4.4 GB

function virtualArchive(): ByteSource & { reads: number[] } {
  const pickle = pk(0x80, 2, 'ctorch._utils\n_rebuild_tensor_v2\n(', pk('(', str('storage'), 'ctorch\nFloatStorage\n', str('0'), str('cpu'), 'J', u32(numel), 't'),
    'Q', 'K', 0, 'J', u32(rows), 'M', u16(cols), 0x86, 'K', 1, 'J', u32(rows), 0x86, 0x89, 'ccollections\nOrderedDict\n)R', 't', 'R.');
  const local = (name: string): Uint8Array => pk(u32(0x04034b50), u16(45), u16(0), u16(0), u16(0), u16(0), u32(0), u32(0), u32(0), u16(name.length), u16(0), name);
  const head = pk(local('a/data.pkl'), pickle, local('a/data/0'));
  const dataStart = head.length;
  const versionAt = dataStart + size;
  const central = (name: string, crc: number, extra: Uint8Array, sz32: number, at32: number): Uint8Array =>
    pk(u32(0x02014b50), u16(45), u16(45), u16(0), u16(0), u16(0), u16(0), u32(crc), u32(sz32), u32(sz32), u16(name.length), u16(extra.length), u16(0), u16(0), u16(0), u32(0), u32(at32), name, extra);
  const tailBody = pk(local('a/version'), '3\n');
  const cdAt = versionAt + tailBody.length;
  const cd = pk(
    central('a/data.pkl', crc32(pickle), new Uint8Array(0), pickle.length, 0),
    central('a/data/0', 0, pk(u16(1), u16(16), u64(size), u64(size)), 0xffffffff, 30 + 10 + pickle.length),
    central('a/version', crc32(pk('3\n')), pk(u16(1), u16(8), u64(versionAt)), 2, 0xffffffff),
  );
  const z64At = cdAt + cd.length;
  const tail = pk(tailBody, cd,
    u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(3), u64(3), u64(cd.length), u64(cdAt),
    u32(0x07064b50), u32(0), u64(z64At), u32(1),
    u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0));
  const total = versionAt + tail.length;
  const reads: number[] = [];
  return {
    name: 'big.pt', size: total, reads,
    async read(offset, length) {
      reads.push(length);
      const out = new Uint8Array(length);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < length; ) {
        const p = offset + i;
        if (p < dataStart) out[i++] = head[p];
        else if (p >= versionAt) out[i++] = tail[p - versionAt];
        else if ((p - dataStart) % 4 === 0 && i + 4 <= length) {
          dv.setFloat32(i, value((p - dataStart) / 4), true);
          i += 4;
        } else {
          const b = new Uint8Array(4);
          new DataView(b.buffer).setFloat32(0, value(Math.floor((p - dataStart) / 4)), true);
          out[i++] = b[(p - dataStart) % 4];
        }
      }
      return out;
    },
  };
}

describe('ZIP64 archive above 4 GiB', () => {
  it('finds the entries past 4 GiB and streams the first columns of a transposed tensor', async () => {
    const src = virtualArchive();
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
    expect(Math.max(...src.reads)).toBeLessThanOrEqual(chunkBytes);
    // Only the k·rows elements of the first columns, plus a 30+name byte local header.
    expect(src.reads.reduce((a, b) => a + b, 0)).toBeLessThan(k * rows * 4 + 100);
    await expect(t.read()).rejects.toThrow(/big\.pt: tensor \(1000000, 1100\) float32: .*above the 2 GiB one array can hold/);
  });
});
