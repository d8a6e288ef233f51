// safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}, then the data section.
// Opening reads only the header and validates it fully, so later tensor reads can trust it; tensors are
// read one at a time. Typed-array views assume a little-endian host, as every WebGPU/wasm platform is.
import { bfloat16ToFloat32, float32ToHalf, halfToFloat32 } from './half';
import type { ByteSource } from './source';

export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export type TensorData =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

type TypedCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TensorData; BYTES_PER_ELEMENT: number };

// The array each dtype is stored in; F16 and BF16 as raw 16-bit patterns, BOOL as bytes.
const STORAGE: Record<SafeDType, TypedCtor> = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};

const INTEGER = new Set<SafeDType>(['I64', 'I32', 'I16', 'I8', 'U8', 'BOOL']);

const isDType = (d: unknown): d is SafeDType => typeof d === 'string' && Object.hasOwn(STORAGE, d);

/** The safetensors reference implementation's limit; a larger length means a corrupt or foreign file. */
const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  readonly dtype: SafeDType;
  readonly shape: readonly number[];
  /** Absolute offset of the tensor's bytes in the file. */
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface SafetensorsFile {
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor names in header order. */
  keys(): string[];
  has(key: string): boolean;
  info(key: string): TensorInfo;
  readRaw(key: string): Promise<Uint8Array>;
  /** Any dtype as float32 (F64 and 64-bit ints lose precision). */
  readFloat32(key: string): Promise<Float32Array>;
  /** Any dtype as IEEE half bits, round to nearest even. */
  readFloat16Bits(key: string): Promise<Uint16Array>;
  /** Integer and BOOL tensors as int64. */
  readInt64(key: string): Promise<BigInt64Array>;
  /** The tensor in its natural array: F16/BF16 as raw Uint16Array bits, BOOL as Uint8Array. */
  read(key: string): Promise<{ dtype: SafeDType; shape: readonly number[]; data: TensorData }>;
}

export async function openSafetensors(src: ByteSource): Promise<SafetensorsFile> {
  const bad = (msg: string) => new Error(`${src.name}: ${msg}`);
  if (src.size < 8) throw bad(`not a safetensors file: ${src.size} bytes, shorter than the 8-byte header length`);
  const prefix = await src.read(0, 8);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    throw bad(`safetensors header length ${n} is absurdly large (limit ${MAX_HEADER_BYTES}); not a safetensors file?`);
  if (n > BigInt(src.size - 8)) throw bad(`safetensors header length ${n} runs past the end of the file (${src.size} bytes)`);
  const headerBytes = Number(n);
  const dataStart = 8 + headerBytes;
  const header = parseHeaderJson(await src.read(8, headerBytes), bad);
  const { tensors, metadata } = validateHeader(header, src.size - dataStart, dataStart, bad);
  return new SafetensorsReader(src, tensors, metadata);
}

function parseHeaderJson(bytes: Uint8Array, bad: (m: string) => Error): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad('safetensors header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(`safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(json)) throw bad('safetensors header is not a JSON object');
  return json;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function validateHeader(header: Record<string, unknown>, dataSize: number, dataStart: number, bad: (m: string) => Error) {
  const tensors = new Map<string, TensorInfo>();
  const metadata: Record<string, string> = {};
  const spans: Array<{ key: string; begin: number; end: number }> = [];
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') {
      if (!isRecord(entry)) throw bad('__metadata__ is not a JSON object');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw bad(`__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (!isRecord(entry)) throw bad(`tensor ${key}: header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (!isDType(dtype)) throw bad(`tensor ${key}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isCount))
      throw bad(`tensor ${key}: bad shape ${JSON.stringify(shape)} (dims must be non-negative integers)`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1])
      throw bad(`tensor ${key}: bad data_offsets ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as number[];
    if (end > dataSize)
      throw bad(`tensor ${key}: data_offsets [${begin}, ${end}] lie outside the data section (${dataSize} bytes)`);
    // BigInt: a hostile shape's product may exceed 2^53.
    const want = shape.reduce((a: bigint, d: number) => a * BigInt(d), 1n) * BigInt(STORAGE[dtype].BYTES_PER_ELEMENT);
    if (want !== BigInt(end - begin))
      throw bad(`tensor ${key}: ${dtype} [${shape}] needs ${want} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    tensors.set(key, { dtype, shape: Object.freeze([...shape]), byteOffset: dataStart + begin, byteLength: end - begin });
    if (end > begin) spans.push({ key, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < spans.length; i++)
    if (spans[i].begin < spans[i - 1].end)
      throw bad(`tensors ${spans[i - 1].key} and ${spans[i].key} overlap (data_offsets ${spans[i - 1].begin}..${spans[i - 1].end} and ${spans[i].begin}..${spans[i].end})`);
  return { tensors, metadata };
}

/** A typed view of `bytes`, copying first when the offset is misaligned for the element size. */
function view(bytes: Uint8Array, ctor: TypedCtor): TensorData {
  const b = bytes.byteOffset % ctor.BYTES_PER_ELEMENT ? bytes.slice() : bytes;
  return new ctor(b.buffer, b.byteOffset, b.byteLength / ctor.BYTES_PER_ELEMENT);
}

class SafetensorsReader implements SafetensorsFile {
  constructor(
    private readonly src: ByteSource,
    private readonly tensors: Map<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  get name(): string {
    return this.src.name;
  }

  keys(): string[] {
    return [...this.tensors.keys()];
  }

  has(key: string): boolean {
    return this.tensors.has(key);
  }

  info(key: string): TensorInfo {
    const t = this.tensors.get(key);
    if (!t) throw new Error(`missing tensor ${key} in ${this.name}`);
    return t;
  }

  async readRaw(key: string): Promise<Uint8Array> {
    const { byteOffset, byteLength } = this.info(key);
    return this.src.read(byteOffset, byteLength);
  }

  async read(key: string): Promise<{ dtype: SafeDType; shape: readonly number[]; data: TensorData }> {
    const { dtype, shape } = this.info(key);
    return { dtype, shape, data: view(await this.readRaw(key), STORAGE[dtype]) };
  }

  async readFloat32(key: string): Promise<Float32Array> {
    const { dtype, data } = await this.read(key);
    switch (dtype) {
      case 'F32':
        return data as Float32Array;
      case 'F16':
        return halfToFloat32(data as Uint16Array);
      case 'BF16':
        return bfloat16ToFloat32(data as Uint16Array);
      case 'I64':
        return Float32Array.from(data as BigInt64Array, Number);
      default:
        return Float32Array.from(data as Exclude<TensorData, BigInt64Array>);
    }
  }

  async readFloat16Bits(key: string): Promise<Uint16Array> {
    if (this.info(key).dtype === 'F16') return (await this.read(key)).data as Uint16Array;
    return float32ToHalf(await this.readFloat32(key));
  }

  async readInt64(key: string): Promise<BigInt64Array> {
    const { dtype, data } = await this.read(key);
    if (dtype === 'I64') return data as BigInt64Array;
    if (!INTEGER.has(dtype))
      throw new Error(`tensor ${key} in ${this.name} is ${dtype}, not an integer tensor`);
    return BigInt64Array.from(data as Int32Array, BigInt);
  }
}

export interface TensorToWrite {
  dtype: SafeDType;
  shape: readonly number[];
  /** Stored as is, except a Float32Array for F16, which is converted. */
  data: TensorData;
}

/**
 * A safetensors file PyTorch's and Rust's readers accept: header padded with spaces to 8-byte alignment,
 * tensors contiguous in the given order (a record: sorted names).
 */
export function writeSafetensors(
  tensors: Array<TensorToWrite & { name: string }> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Uint8Array {
  const list = Array.isArray(tensors)
    ? tensors
    : Object.keys(tensors)
        .sort()
        .map((name) => ({ name, ...tensors[name] }));
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, dtype, shape, data } of list) {
    if (!name || name === '__metadata__' || Object.hasOwn(header, name)) throw new Error(`writeSafetensors: bad or duplicate tensor name ${JSON.stringify(name)}`);
    if (!isDType(dtype)) throw new Error(`writeSafetensors: tensor ${name} has unknown dtype ${JSON.stringify(dtype)}`);
    if (!shape.every(isCount)) throw new Error(`writeSafetensors: tensor ${name} has bad shape [${shape}]`);
    const stored = dtype === 'F16' && data instanceof Float32Array ? float32ToHalf(data) : data;
    if (!(stored instanceof STORAGE[dtype]))
      throw new Error(`writeSafetensors: tensor ${name} is ${dtype}, which needs a ${STORAGE[dtype].name}, got ${stored.constructor.name}`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (stored.length !== n) throw new Error(`writeSafetensors: tensor ${name} has ${stored.length} values for shape [${shape}]`);
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + stored.byteLength] };
    chunks.push(new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength));
    offset += stored.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerBytes + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes);
  let pos = 8 + headerBytes;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
