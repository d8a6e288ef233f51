// The space's view of torch.save files, through the safe reader/writer in ../torch: every call into it
// sits here, so the loaders below see plain arrays with names for messages.
import type { ByteSource } from '../io/source';
import { loadDataFrame, loadTensor, loadTorch, saveTensor, type ProgressFn, type TorchDataFrame, type TorchTensor } from '../torch/index';

export type { ProgressFn, TorchDataFrame, TorchTensor };

/** The tensor a file holds (as torch.save(tensor) writes it); anything else is an error naming the file. */
export const openTensor = loadTensor;
export const openDataFrame = loadDataFrame;

/** An OrderedDict key → [Size([numel]), Size(shape)] (weight_dimensions.pt): [key, numel, shape] in order. */
export async function openWeightDimensions(src: ByteSource): Promise<{ key: string; numel: number; shape: number[] }[]> {
  const v = await loadTorch(src);
  if (!(v instanceof Map)) throw new Error(`${src.name}: expected an OrderedDict of weight dimensions, found ${describe(v)}`);
  const out: { key: string; numel: number; shape: number[] }[] = [];
  for (const [key, dims] of v) {
    const ok = typeof key === 'string' && Array.isArray(dims) && dims.length === 2 && dims.every((d) => Array.isArray(d) && d.every((x) => typeof x === 'number'));
    if (!ok) throw new Error(`${src.name}: entry ${String(key)} is not key → [Size([numel]), Size(shape)]`);
    const [[numel], shape] = dims as number[][];
    if (!Number.isSafeInteger(numel) || numel < 0 || shape.reduce((a, b) => a * b, 1) !== numel)
      throw new Error(`${src.name}: entry ${key} has numel ${numel} but shape [${shape}]`);
    out.push({ key, numel, shape: [...shape] });
  }
  return out;
}

/** A torch.save file of a (1, k) float32 tensor: the official w2wmodel.pt. */
export function writeCoefficients(coef: Float32Array): Uint8Array {
  return saveTensor(coef, [1, coef.length]);
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof Map) return 'a dict';
  if (Array.isArray(v)) return 'a list/tuple';
  if (typeof v === 'object' && 'kind' in (v as object)) return `a ${(v as { kind: string }).kind}`;
  return typeof v;
}
