// torch.load without Python: open the zip, run data.pkl through the allowlisting VM, hand back plain
// values whose tensors read their storages lazily from the same ByteSource.
import type { ByteSource } from '../io/source';
import { resolveGlobal, STORAGE_TYPES } from './globals';
import { isPandasDataFrame } from './pandas';
import { PyGlobal, unpickle } from './pickle';
import { ITEM_BYTES, Storage } from './tensor';
import type { TorchDataFrame, TorchTensor, TorchValue } from './types';
import { asNonNegInt, asString, describe } from './values';
import { ZipArchive } from './zip';

// data.pkl holds structure, not weights; a bigger one is a corrupt size or not a torch file.
const MAX_PICKLE_BYTES = 256 * 1024 * 1024;

/** Reads a torch.save file; tensors in the result read their data on demand. */
export async function loadTorch(src: ByteSource): Promise<TorchValue> {
  const zip = await ZipArchive.open(src);
  const pkls = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkls.length !== 1)
    throw new Error(`${src.name}: not a torch.save archive (${pkls.length ? 'several' : 'no'} <archive>/data.pkl entries)`);
  const prefix = pkls[0].slice(0, -'data.pkl'.length);
  const order = zip.entries.get(`${prefix}byteorder`);
  if (order) {
    const text = new TextDecoder().decode(await zip.readAll(order, 16));
    if (text !== 'little') throw new Error(`${src.name}: byte order ${JSON.stringify(text)} is not supported (little-endian only)`);
  }
  const pickle = await zip.readAll(zip.entry(pkls[0]), MAX_PICKLE_BYTES);

  const persistentLoad = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') throw new Error(`unsupported persistent id ${describe(pid)}`);
    const type = pid[1];
    const dtype = type instanceof PyGlobal ? STORAGE_TYPES.get(type) : undefined;
    if (!dtype) throw new Error(`persistent id names ${describe(type)}, not a storage type`);
    const key = asString(pid[2], 'storage key');
    asString(pid[3], 'storage location');
    const numel = asNonNegInt(pid[4], `storage ${key} size`);
    const entry = zip.entry(`${prefix}data/${key}`);
    const bytes = numel * ITEM_BYTES[dtype];
    if (entry.size !== bytes)
      throw new Error(`storage ${key} should hold ${numel} ${dtype} (${bytes} bytes) but its entry has ${entry.size} bytes`);
    return new Storage(zip, entry, dtype, numel);
  };
  return unpickle(pickle, { resolveGlobal, persistentLoad }, `${src.name} (${pkls[0]})`) as TorchValue;
}

export function isTensor(v: unknown): v is TorchTensor {
  return v !== null && typeof v === 'object' && (v as { kind?: unknown }).kind === 'tensor';
}

export function isDataFrame(v: unknown): v is TorchDataFrame {
  return isPandasDataFrame(v);
}

/** A file that holds one tensor (torch.save(tensor)). */
export async function loadTensor(src: ByteSource): Promise<TorchTensor> {
  const v = await loadTorch(src);
  if (!isTensor(v)) throw new Error(`${src.name}: expected a tensor, found ${describe(v)}`);
  return v;
}

/** A file that holds one pandas DataFrame (torch.save(df)). */
export async function loadDataFrame(src: ByteSource): Promise<TorchDataFrame> {
  const v = await loadTorch(src);
  if (!isDataFrame(v)) throw new Error(`${src.name}: expected a pandas DataFrame, found ${describe(v)}`);
  return v;
}
