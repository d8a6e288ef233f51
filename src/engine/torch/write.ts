// torch.save of one float32 tensor, byte for byte as PyTorch writes it (protocol-2 pickle, stored zip
// entries 64-byte aligned with "FB" padding, data descriptors and ZIP64 end records, like its miniz
// writer), so torch.load — weights_only included — reads it and our tests can compare with real files.
import { crc32 } from './crc32';
import { product } from './values';

export interface SaveOptions {
  /** The folder name inside the zip; torch.save uses the file's stem (`w2wmodel` for w2wmodel.pt). */
  archiveName?: string;
}

const ALIGN = 64;
const utf8 = new TextEncoder();

export class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }
  private num(n: number, size: number): this {
    const b = new Uint8Array(size);
    const dv = new DataView(b.buffer);
    if (size === 1) dv.setUint8(0, n);
    else if (size === 2) dv.setUint16(0, n, true);
    else if (size === 4) dv.setUint32(0, n, true);
    else dv.setBigUint64(0, BigInt(n), true);
    return this.bytes(b);
  }
  u8 = (n: number): this => this.num(n, 1);
  u16 = (n: number): this => this.num(n, 2);
  u32 = (n: number): this => this.num(n, 4);
  u64 = (n: number): this => this.num(n, 8);
  i32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n, true);
    return this.bytes(b);
  }
  ascii = (s: string): this => this.bytes(utf8.encode(s));
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let p = 0;
    for (const c of this.chunks) {
      out.set(c, p);
      p += c.length;
    }
    return out;
  }
}

/**
 * The subset of CPython's protocol-2 pickler (the C `_pickle` one torch.save and pandas use) that torch
 * files need, with its memo numbering: globals are memoized once and fetched with BINGET after, as are
 * values the caller names with `shared` (Python fetches one object seen twice, such as an interned
 * string); lists and dicts are batched as `_pickle.c` batches them.
 */
export class Pickler {
  readonly w = new ByteWriter();
  private memo = 0;
  private named = new Map<string, number>();
  put(): this {
    if (this.memo < 256) this.w.u8(0x71).u8(this.memo); // BINPUT
    else this.w.u8(0x72).u32(this.memo); // LONG_BINPUT
    this.memo++;
    return this;
  }
  private get(index: number): this {
    if (index < 256) this.w.u8(0x68).u8(index); // BINGET
    else this.w.u8(0x6a).u32(index); // LONG_BINGET
    return this;
  }
  /**
   * The value named `key`: written by `write` (which ends with the value on the stack, unmemoized) and
   * memoized the first time, fetched after. Returns whether it was written (the caller may BUILD it then).
   */
  shared(key: string, write: () => void): boolean {
    const at = this.named.get(key);
    if (at !== undefined) {
      this.get(at);
      return false;
    }
    write();
    this.named.set(key, this.memo);
    this.put();
    return true;
  }
  global(module: string, name: string): this {
    this.shared(`global:${module}.${name}`, () => this.w.u8(0x63).ascii(`${module}\n${name}\n`));
    return this;
  }
  str(s: string): this {
    const b = utf8.encode(s);
    this.w.u8(0x58).u32(b.length).bytes(b); // BINUNICODE
    return this.put();
  }
  /** A string Python would fetch from the memo when it recurs (an interned literal). */
  sharedStr(s: string): this {
    this.shared(`str:${s}`, () => {
      const b = utf8.encode(s);
      this.w.u8(0x58).u32(b.length).bytes(b);
    });
    return this;
  }
  int(n: number): this {
    if (n >= 0 && n < 0x100) this.w.u8(0x4b).u8(n); // BININT1
    else if (n >= 0 && n < 0x10000) this.w.u8(0x4d).u16(n); // BININT2
    else if (n >= -0x80000000 && n < 0x80000000) this.w.u8(0x4a).i32(n); // BININT
    else {
      // LONG1: minimal little-endian two's complement (non-negative here: sizes and counts).
      const bytes: number[] = [];
      for (let v = BigInt(n); v > 0n; v >>= 8n) bytes.push(Number(v & 0xffn));
      if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
      this.w.u8(0x8a).u8(bytes.length).bytes(Uint8Array.from(bytes));
    }
    return this;
  }
  none = (): this => this.op(0x4e);
  bool = (b: boolean): this => this.op(b ? 0x88 : 0x89); // NEWTRUE / NEWFALSE
  /** A tuple whose items `items` writes. */
  tuple(n: number, items: () => void): this {
    if (n === 0) {
      this.w.u8(0x29); // EMPTY_TUPLE, never memoized
      return this;
    }
    if (n > 3) this.w.u8(0x28); // MARK
    items();
    this.w.u8(n > 3 ? 0x74 : 0x84 + n); // TUPLE or TUPLE1..3
    return this.put();
  }
  ints(values: readonly number[]): this {
    return this.tuple(values.length, () => values.forEach((v) => this.int(v)));
  }
  /** A list: EMPTY_LIST, then one APPEND for a single item, else batches of 1000 in MARK … APPENDS. */
  list<T>(items: readonly T[], item: (x: T) => void): this {
    this.op(0x5d).put();
    this.batches(items, item, 0x61, 0x65);
    return this;
  }
  /** A dict's items (after EMPTY_DICT or a dict-like REDUCE): SETITEM for one, else MARK … SETITEMS batches. */
  items<T>(entries: readonly T[], entry: (x: T) => void): this {
    this.batches(entries, entry, 0x73, 0x75);
    return this;
  }
  private batches<T>(xs: readonly T[], one: (x: T) => void, single: number, many: number): void {
    if (xs.length === 1) {
      one(xs[0]);
      this.op(single);
      return;
    }
    for (let i = 0; i < xs.length; i += BATCH) {
      this.op(0x28); // MARK
      xs.slice(i, i + BATCH).forEach(one);
      this.op(many);
    }
  }
  op(code: number): this {
    this.w.u8(code);
    return this;
  }
  /** The pickle so far. */
  bytes(): Uint8Array {
    return this.w.concat();
  }
}

/** _pickle.c's BATCHSIZE: lists and dicts are written 1000 items per MARK. */
const BATCH = 1000;

/** data.pkl of torch.save(tensor) for a contiguous float32 tensor in storage "0". */
export function tensorPickle(shape: readonly number[]): Uint8Array {
  const numel = product(shape, 'tensor');
  const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const p = new Pickler();
  p.op(0x80).op(2); // PROTO 2
  p.global('torch._utils', '_rebuild_tensor_v2');
  p.tuple(6, () => {
    p.tuple(5, () => p.str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(numel));
    p.op(0x51); // BINPERSID
    p.int(0).ints(shape).ints(stride).op(0x89); // offset, size, stride, requires_grad=False
    p.global('collections', 'OrderedDict').tuple(0, () => {}).op(0x52).put(); // backward_hooks = OrderedDict()
  });
  p.op(0x52).put().op(0x2e); // REDUCE, STOP
  return p.bytes();
}

/** A torch.save file holding `data` as a float32 tensor of `shape`. */
export function saveTensor(data: Float32Array, shape: readonly number[], opts: SaveOptions = {}): Uint8Array {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`bad tensor shape (${shape.join(', ')})`);
  if (product(shape, 'tensor') !== data.length) throw new Error(`shape (${shape.join(', ')}) does not hold ${data.length} values`);
  return torchZip(opts.archiveName ?? 'archive', [
    ['data.pkl', tensorPickle(shape)],
    ['data/0', new Uint8Array(data.buffer, data.byteOffset, data.byteLength)],
    ['version', utf8.encode('3\n')],
  ]);
}

/** A zip laid out as PyTorch's writer does, records under `<archive>/` in the given order. */
export function torchZip(archive: string, records: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  if (!/^[^/\\]+$/.test(archive)) throw new Error(`bad archive name ${JSON.stringify(archive)}`);
  const total = records.reduce((a, [, b]) => a + b.length + 256, 0);
  if (total > 0xffff0000) throw new Error(`${total} bytes need ZIP64 entries, which this writer does not produce`);
  const w = new ByteWriter();
  const central = new ByteWriter();
  for (const [name, bytes] of records) {
    const full = utf8.encode(`${archive}/${name}`);
    const offset = w.length;
    const crc = crc32(bytes);
    let pad = ALIGN - ((offset + 30 + full.length) % ALIGN);
    if (pad < 4) pad += ALIGN; // room for the "FB" field's own header
    // Local header: sizes and CRC follow in a data descriptor (general purpose flag bit 3).
    w.u32(0x04034b50).u16(0).u16(0x0808).u16(0).u16(0).u16(0).u32(0).u32(0).u32(0).u16(full.length).u16(pad).bytes(full);
    w.ascii('FB').u16(pad - 4).bytes(new Uint8Array(pad - 4).fill(0x5a));
    w.bytes(bytes).u32(0x08074b50).u32(crc).u32(bytes.length).u32(bytes.length);
    central.u32(0x02014b50).u16(0).u16(0).u16(0x0808).u16(0).u16(0).u16(0).u32(crc).u32(bytes.length).u32(bytes.length);
    central.u16(full.length).u16(0).u16(0).u16(0).u16(0).u32(0).u32(offset).bytes(full);
  }
  const cdOffset = w.length;
  const cdSize = central.length;
  w.bytes(central.concat());
  const zip64At = w.length;
  const n = records.length;
  w.u32(0x06064b50).u64(44).u16(0x031e).u16(0x2d).u32(0).u32(0).u64(n).u64(n).u64(cdSize).u64(cdOffset);
  w.u32(0x07064b50).u32(0).u64(zip64At).u32(1);
  w.u32(0x06054b50).u16(0).u16(0).u16(n).u16(n).u32(cdSize).u32(cdOffset).u16(0);
  return w.concat();
}
