// A multi-GB torch.save archive that exists only as a ByteSource: a (rows, cols) float32 tensor, row-major
// or transposed, whose storage element e is value(e), generated on each read from one repeating period
// (nothing the size of the file is ever allocated). ZIP64 fields as torch writes them for big tensors.
import type { ByteSource } from '../../src/engine/io/source';
import { crc32 } from '../../src/engine/torch/crc32';
import { pk, str, u32 } from './helpers';

const PERIOD = 4099;
/** Storage element e of a virtual archive. */
export const value = (e: number): number => (e % PERIOD) - 2000;
const pattern = new Uint8Array(Float32Array.from({ length: PERIOD }, (_, e) => value(e)).buffer);

const u64 = (n: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
};
const u16 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, n >> 8);

export interface VirtualArchive extends ByteSource {
  /** [offset, length] of every read, in order. */
  readonly reads: [number, number][];
  /** Offset of the storage's first byte in the archive. */
  readonly dataStart: number;
}

/** `order` 'row': stride (cols, 1), storage element r·cols + c; 'col': stride (1, rows), element c·rows + r. */
export function virtualArchive(rows: number, cols: number, order: 'row' | 'col'): VirtualArchive {
  const numel = rows * cols;
  const size = numel * 4;
  const stride = order === 'row' ? [cols, 1] : [1, rows];
  const pickle = pk(0x80, 2, 'ctorch._utils\n_rebuild_tensor_v2\n(', pk('(', str('storage'), 'ctorch\nFloatStorage\n', str('0'), str('cpu'), 'J', u32(numel), 't'),
    'Q', 'K', 0, 'J', u32(rows), 'J', u32(cols), 0x86, 'J', u32(stride[0]), 'J', u32(stride[1]), 0x86, 0x89, 'ccollections\nOrderedDict\n)R', 't', 'R.');
  const local = (name: string): Uint8Array => pk(u32(0x04034b50), u16(45), u16(0), u16(0), u16(0), u16(0), u32(0), u32(0), u32(0), u16(name.length), u16(0), name);
  const head = pk(local('a/data.pkl'), pickle, local('a/data/0'));
  const dataStart = head.length;
  const versionAt = dataStart + size;
  const central = (name: string, crc: number, extra: Uint8Array, sz32: number, at32: number): Uint8Array =>
    pk(u32(0x02014b50), u16(45), u16(45), u16(0), u16(0), u16(0), u16(0), u32(crc), u32(sz32), u32(sz32), u16(name.length), u16(extra.length), u16(0), u16(0), u16(0), u32(0), u32(at32), name, extra);
  const tailBody = pk(local('a/version'), '3\n');
  const cdAt = versionAt + tailBody.length;
  // Sizes and offsets past 4 GiB go to the ZIP64 extra field (0xffffffff in the 32-bit field).
  const big = size >= 0xffffffff;
  const cd = pk(
    central('a/data.pkl', crc32(pickle), new Uint8Array(0), pickle.length, 0),
    central('a/data/0', 0, big ? pk(u16(1), u16(16), u64(size), u64(size)) : new Uint8Array(0), big ? 0xffffffff : size, 30 + 10 + pickle.length),
    central('a/version', crc32(pk('3\n')), pk(u16(1), u16(8), u64(versionAt)), 2, 0xffffffff),
  );
  const z64At = cdAt + cd.length;
  const tail = pk(tailBody, cd,
    u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(3), u64(3), u64(cd.length), u64(cdAt),
    u32(0x07064b50), u32(0), u64(z64At), u32(1),
    u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0));
  const reads: [number, number][] = [];
  return {
    name: 'big.pt', size: versionAt + tail.length, reads, dataStart,
    async read(offset, length) {
      reads.push([offset, length]);
      const out = new Uint8Array(length);
      for (let i = 0; i < length; ) {
        const p = offset + i;
        if (p < dataStart || p >= versionAt) {
          out[i++] = p < dataStart ? head[p] : tail[p - versionAt];
          continue;
        }
        const at = (p - dataStart) % pattern.length;
        const take = Math.min(length - i, pattern.length - at, versionAt - p);
        out.set(pattern.subarray(at, at + take), i);
        i += take;
      }
      return out;
    },
  };
}
