// Read-only zip access for torch.save archives: the central directory (with ZIP64, as PyTorch's miniz
// writer always emits), stored entries only, every offset and size checked against the file before use.
// Entry data is read through the ByteSource on demand, so a 4 GB archive is never loaded.
import type { ByteSource } from '../io/source';
import { crc32 } from './crc32';

export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  readonly crc: number;
  readonly headerOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
// The directory of even a huge state dict is a few MB; anything bigger is a corrupt size field.
const MAX_DIRECTORY = 256 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8');

function u64(dv: DataView, at: number, what: string, fail: (msg: string) => never): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  if (hi >= 0x200000) fail(`${what} does not fit in 2^53`);
  return hi * 0x100000000 + lo;
}

export class ZipArchive {
  private readonly dataStarts = new Map<string, number>();

  private constructor(
    readonly src: ByteSource,
    readonly entries: ReadonlyMap<string, ZipEntry>,
    /** Where the central directory starts: entry data must end before it. */
    private readonly dataLimit: number,
  ) {}

  private static fail(src: ByteSource, msg: string): never {
    throw new Error(`${src.name}: ${msg}`);
  }

  static async open(src: ByteSource): Promise<ZipArchive> {
    const fail = (msg: string): never => ZipArchive.fail(src, msg);
    if (src.size < EOCD_SIZE) fail(`not a zip archive (${src.size} bytes)`);
    const tailLen = Math.min(src.size, EOCD_SIZE + MAX_COMMENT + 20);
    const tailStart = src.size - tailLen;
    const tail = await src.read(tailStart, tailLen);
    const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let eocd = -1;
    for (let i = tailLen - EOCD_SIZE; i >= 0; i--) {
      if (tv.getUint32(i, true) === SIG_EOCD && i + EOCD_SIZE + tv.getUint16(i + 20, true) === tailLen) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      const head = await src.read(0, Math.min(2, src.size));
      if (head[0] === 0x80 && head[1] <= 5)
        fail('a bare pickle, not a zip archive: the legacy torch.save format (PyTorch < 1.6 or _use_new_zipfile_serialization=False) is not supported; load it in PyTorch and torch.save it again');
      fail('not a zip archive (no end-of-central-directory record)');
    }
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    let cdEnd = tailStart + eocd;
    if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) fail('multi-disk zip archives are not supported');
    if (eocd >= 20 && tv.getUint32(eocd - 20, true) === SIG_ZIP64_LOCATOR) {
      const at = u64(tv, eocd - 12, 'ZIP64 end record offset', fail);
      if (at + 56 > tailStart + eocd - 20) fail(`ZIP64 end record at ${at} lies outside the archive`);
      const rec = await src.read(at, 56);
      const rv = new DataView(rec.buffer, rec.byteOffset, 56);
      if (rv.getUint32(0, true) !== SIG_ZIP64_EOCD) fail(`bad ZIP64 end record signature at ${at}`);
      count = u64(rv, 32, 'entry count', fail);
      cdSize = u64(rv, 40, 'central directory size', fail);
      cdOffset = u64(rv, 48, 'central directory offset', fail);
      cdEnd = at;
    }
    if (cdOffset + cdSize > cdEnd) fail(`central directory (${cdSize} bytes at ${cdOffset}) runs past its end record at ${cdEnd}`);
    if (cdSize > MAX_DIRECTORY) fail(`central directory of ${cdSize} bytes is implausibly large`);
    if (count * 46 > cdSize) fail(`central directory of ${cdSize} bytes cannot hold ${count} entries`);
    const cd = await src.read(cdOffset, cdSize);
    const entries = parseDirectory(cd, count, cdOffset, fail);
    return new ZipArchive(src, entries, cdOffset);
  }

  entry(name: string): ZipEntry {
    const e = this.entries.get(name);
    if (!e) ZipArchive.fail(this.src, `entry ${name} is missing from the archive`);
    return e;
  }

  /** Absolute offset of the entry's data, checked against its local header (cached). */
  async dataStart(entry: ZipEntry): Promise<number> {
    const known = this.dataStarts.get(entry.name);
    if (known !== undefined) return known;
    const fail = (msg: string): never => ZipArchive.fail(this.src, `entry ${entry.name}: ${msg}`);
    const nameBytes = new TextEncoder().encode(entry.name);
    if (entry.headerOffset + 30 + nameBytes.length > this.dataLimit) fail(`local header at ${entry.headerOffset} lies outside the data area`);
    const head = await this.src.read(entry.headerOffset, 30 + nameBytes.length);
    const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (hv.getUint32(0, true) !== SIG_LOCAL) fail(`no local header at ${entry.headerOffset}`);
    if (hv.getUint16(8, true) !== 0) fail(`compressed (method ${hv.getUint16(8, true)}) in its local header; torch.save stores entries uncompressed`);
    const nameLen = hv.getUint16(26, true);
    if (nameLen !== nameBytes.length || head.subarray(30).some((b, i) => b !== nameBytes[i]))
      fail('local header names a different entry');
    const start = entry.headerOffset + 30 + nameLen + hv.getUint16(28, true);
    if (start + entry.size > this.dataLimit) fail(`data (${entry.size} bytes at ${start}) runs into the central directory`);
    this.dataStarts.set(entry.name, start);
    return start;
  }

  /** `length` bytes at `offset` inside the entry. */
  async read(entry: ZipEntry, offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > entry.size)
      ZipArchive.fail(this.src, `entry ${entry.name}: read of ${length} bytes at ${offset} is outside its ${entry.size} bytes`);
    return this.src.read((await this.dataStart(entry)) + offset, length);
  }

  /** The whole entry, CRC-checked; refuses entries above maxBytes. */
  async readAll(entry: ZipEntry, maxBytes: number): Promise<Uint8Array> {
    if (entry.size > maxBytes) ZipArchive.fail(this.src, `entry ${entry.name} is ${entry.size} bytes, above the ${maxBytes} allowed`);
    const bytes = await this.read(entry, 0, entry.size);
    this.checkCrc(entry, crc32(bytes));
    return bytes;
  }

  checkCrc(entry: ZipEntry, crc: number): void {
    if (crc !== entry.crc)
      ZipArchive.fail(this.src, `entry ${entry.name} is corrupt (CRC-32 ${hex(crc)}, directory says ${hex(entry.crc)})`);
  }
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

function parseDirectory(cd: Uint8Array, count: number, cdOffset: number, fail: (msg: string) => never): Map<string, ZipEntry> {
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== SIG_CENTRAL) fail(`central directory entry ${i} is malformed`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let csize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let headerOffset = dv.getUint32(p + 42, true);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) fail(`central directory entry ${i} runs past the directory`);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    const what = `entry ${name}`;
    // ZIP64 extended information: 64-bit values for the fields saturated at 0xffffffff, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = dv.getUint16(x, true);
      const len = dv.getUint16(x + 2, true);
      if (x + 4 + len > xEnd) fail(`${what}: extra field runs past its entry`);
      if (id === 1) {
        let q = x + 4;
        const take = (field: string): number => {
          if (q + 8 > x + 4 + len) fail(`${what}: ZIP64 field lacks the ${field}`);
          const v = u64(dv, q, `${what}: ${field}`, fail);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take('size');
        if (csize === 0xffffffff) csize = take('compressed size');
        if (headerOffset === 0xffffffff) headerOffset = take('header offset');
      }
      x += 4 + len;
    }
    if (flags & 1) fail(`${what} is encrypted`);
    if (method !== 0) fail(`${what} is compressed (method ${method}); torch.save stores entries uncompressed`);
    if (csize !== size) fail(`${what} is stored but its sizes differ (${csize} vs ${size})`);
    if (headerOffset + 30 + size > cdOffset) fail(`${what} (${size} bytes at ${headerOffset}) runs into the central directory`);
    if (entries.has(name)) fail(`${what} appears twice`);
    entries.set(name, { name, size, crc, headerOffset });
    p = end;
  }
  return entries;
}
