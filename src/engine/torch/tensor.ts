// Lazy tensors over zip-stored storages. Reads walk the view's elements in storage order through a
// forward-only chunk window, so memory is the output plus one chunk, whatever the file size, and a
// transposed view reads only the span its elements occupy.
import { bfloat16ToFloat32, halfToFloat32 } from '../io/half';
import { allocBlocks, BlockWriter } from '../io/row-blocks';
import { crc32 } from './crc32';
import type { ProgressFn, ReadOptions, TorchDType, TorchTensor } from './types';
import { product } from './values';
import type { ZipArchive, ZipEntry } from './zip';

export const ITEM_BYTES: Record<TorchDType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** A storage named by a persistent id: `numel` elements of `dtype` in a zip entry. */
export class Storage {
  readonly kind = 'storage';
  constructor(
    readonly archive: ZipArchive,
    readonly entry: ZipEntry,
    readonly dtype: TorchDType,
    readonly numel: number,
  ) {}
}

const DEFAULT_CHUNK = 32 * 1024 * 1024;
// Chrome's limit for one ArrayBuffer; larger outputs must be read as row blocks (readRowBlocks).
const MAX_OUTPUT_BYTES = 2 ** 31;
// Entries up to this size are CRC-checked when read whole; beyond it the check would cost seconds per GB.
const CRC_LIMIT = 64 * 1024 * 1024;

export function makeTensor(storage: Storage, storageOffset: number, shape: number[], stride: number[]): TorchTensor {
  const label = `${storage.archive.src.name}: tensor (${shape.join(', ')}) ${storage.dtype}`;
  if (shape.length !== stride.length) throw new Error(`${label} has ${stride.length} strides for ${shape.length} dims`);
  const numel = product(shape, label);
  if (numel > 0) {
    let last = storageOffset;
    shape.forEach((d, i) => (last += (d - 1) * stride[i]));
    if (last >= storage.numel)
      throw new Error(`${label} (offset ${storageOffset}, stride ${stride.join(', ')}) reaches element ${last} of a storage of ${storage.numel}`);
  }
  const view = { storage, storageOffset, shape, stride, label };
  const columns = (k: number) => {
    if (shape.length !== 2) throw new Error(`${label}: readColumns needs a 2-D tensor`);
    if (!Number.isSafeInteger(k) || k < 0 || k > shape[1]) throw new Error(`${label}: cannot take ${k} of ${shape[1]} columns`);
    return [shape[0], k];
  };
  return {
    kind: 'tensor', label, dtype: storage.dtype, shape, stride, storageOffset, numel,
    read: (opts) => gather(view, shape, opts ?? {}),
    readColumns(k, onProgress, opts) {
      return gather(view, columns(k), { ...opts, onProgress });
    },
    async readRowBlocks(k, opts = {}) {
      const [rows] = columns(k);
      const blocks = allocBlocks(rows, k, opts.maxBlockBytes, opts.alloc);
      await walk(view, [rows, k], opts, new BlockWriter(blocks));
      return blocks;
    },
  };
}

/** The whole restricted view as one array (≤ 2 GiB). */
async function gather(view: View, shape: readonly number[], opts: ReadOptions): Promise<Float32Array> {
  const n = product(shape, view.label);
  if (n * 4 > MAX_OUTPUT_BYTES)
    throw new Error(`${view.label}: ${shape.join('×')} as float32 is ${(n * 4 / 2 ** 30).toFixed(2)} GiB, above the 2 GiB one array can hold; read it as row blocks (readRowBlocks)`);
  const out = new Float32Array(n);
  await walk(view, shape, opts, new BlockWriter([out]));
  return out;
}

interface View {
  readonly storage: Storage;
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly label: string;
}

/**
 * The elements of `view` restricted to the leading `shape` (a prefix of each dim), in row-major order of
 * `shape`, written to `out` at their flat positions: one forward walk through the storage.
 */
async function walk(view: View, shape: readonly number[], opts: ReadOptions, out: BlockWriter): Promise<void> {
  const { storage, label } = view;
  if (product(shape, label) === 0) return;
  // Dims of size 1 never move; order the rest outer → inner by storage stride.
  const outStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const dims = shape
    .map((size, i) => ({ size, stride: view.stride[i], out: outStrides[i] }))
    .filter((d) => d.size > 1)
    .sort((a, b) => b.stride - a.stride || b.size - a.size);
  let reach = 0; // storage extent of the dims inside the current one
  let monotone = true;
  for (let i = dims.length - 1; i >= 0; i--) {
    if (dims[i].stride < reach) monotone = false;
    reach += (dims[i].size - 1) * dims[i].stride;
  }
  const span = reach + 1;
  const item = ITEM_BYTES[storage.dtype];
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < item) throw new Error(`${label}: bad chunk size ${chunkBytes}`);
  // Overlapping views (as_strided) revisit addresses: only when the whole span fits in one chunk.
  const chunkElems = monotone ? Math.floor(chunkBytes / item) : span;
  if (!monotone && span * item > chunkBytes)
    throw new Error(`${label}: strides (${view.stride.join(', ')}) overlap and span more than one ${chunkBytes}-byte chunk`);
  const window = new Window(storage, view.storageOffset, span, chunkElems, opts.onProgress);

  const inner = dims.pop() ?? { size: 1, stride: 1, out: 1 };
  const idx = new Array<number>(dims.length).fill(0);
  let addr = 0;
  let pos = 0;
  for (;;) {
    if (inner.stride === 1) {
      // A contiguous run: copy it chunk by chunk.
      let done = 0;
      while (done < inner.size) {
        const at = await window.load(addr + done);
        const take = Math.min(inner.size - done, window.values.length - at);
        if (inner.out === 1) out.set(window.values.subarray(at, at + take), pos + done);
        else for (let j = 0; j < take; j++) out.put(pos + (done + j) * inner.out, window.values[at + j]);
        done += take;
      }
    } else {
      for (let j = 0; j < inner.size; j++) {
        const a = addr + j * inner.stride;
        const at = a >= window.start && a < window.start + window.values.length ? a - window.start : await window.load(a);
        out.put(pos + j * inner.out, window.values[at]);
      }
    }
    // Odometer over the outer dims.
    let d = dims.length - 1;
    for (; d >= 0; d--) {
      idx[d]++;
      addr += dims[d].stride;
      pos += dims[d].out;
      if (idx[d] < dims[d].size) break;
      addr -= dims[d].stride * dims[d].size;
      pos -= dims[d].out * dims[d].size;
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  window.finish();
}

type Values = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** A forward-only window of decoded elements over [base, base + span) of a storage. */
class Window {
  start = 0;
  values: Values = new Float32Array(0);
  private next = 0; // where the next read starts, for the CRC of whole-entry reads
  private crc: number | null;

  constructor(
    private readonly s: Storage,
    private readonly base: number,
    private readonly span: number,
    private readonly chunkElems: number,
    private readonly onProgress?: ProgressFn,
  ) {
    const whole = base === 0 && span * ITEM_BYTES[s.dtype] === s.entry.size;
    this.crc = whole && s.entry.size <= CRC_LIMIT ? 0 : null;
  }

  /** Makes relative element `addr` resident; returns its index in `values`. */
  async load(addr: number): Promise<number> {
    if (addr >= this.start && addr < this.start + this.values.length) return addr - this.start;
    if (addr < this.start) throw new Error(`${this.s.archive.src.name}: internal error: tensor walk went backwards`);
    const item = ITEM_BYTES[this.s.dtype];
    const len = Math.min(this.chunkElems, this.span - addr);
    const bytes = await this.s.archive.read(this.s.entry, (this.base + addr) * item, len * item);
    if (this.crc !== null) this.crc = addr === this.next ? crc32(bytes, this.crc) : null;
    this.next = addr + len;
    this.start = addr;
    this.values = decode(bytes, this.s.dtype);
    this.onProgress?.(this.next * item, this.span * item);
    return 0;
  }

  finish(): void {
    if (this.crc !== null && this.next === this.span) this.s.archive.checkCrc(this.s.entry, this.crc);
  }
}

function decode(bytes: Uint8Array, dtype: TorchDType): Values {
  const item = ITEM_BYTES[dtype];
  const b = bytes.byteOffset % item ? bytes.slice() : bytes;
  const n = b.byteLength / item;
  switch (dtype) {
    case 'float32': return new Float32Array(b.buffer, b.byteOffset, n);
    case 'float64': return new Float64Array(b.buffer, b.byteOffset, n);
    case 'float16': return halfToFloat32(new Uint16Array(b.buffer, b.byteOffset, n));
    case 'bfloat16': return bfloat16ToFloat32(new Uint16Array(b.buffer, b.byteOffset, n));
    case 'int64': return Float64Array.from(new BigInt64Array(b.buffer, b.byteOffset, n), Number);
    case 'int32': return new Int32Array(b.buffer, b.byteOffset, n);
    case 'int16': return new Int16Array(b.buffer, b.byteOffset, n);
    case 'int8': return new Int8Array(b.buffer, b.byteOffset, n);
    case 'uint8': case 'bool': return b;
  }
}
