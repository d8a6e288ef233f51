// Loading a space from the official files (any ByteSource: dropped File, URL with Range reads, Node path),
// checking every file against the others before anything is computed: a wrong file is named, never
// silently misread. V.pt is streamed: only its first k columns are ever held, as row blocks.
import type { LoraLayout } from '../models/lora';
import { discoverPcs, pinverseFile, projFile, type SpaceFolder } from './files';
import { columnStats } from './math';
import { openDataFrame, openTensor, openWeightDimensions, type TorchDataFrame, type TorchTensor } from './pt';
import { Space } from './space';

export interface LoadProgress {
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

export interface LoadSpaceOptions {
  /** Components to keep (columns of V); default min(1000, what V.pt has). */
  k?: number;
  /** n of proj_<n>pc / pinverse_<n>pc; default: the largest pair the folder lists. */
  pcs?: number;
  /** The UNet's LoRA layout: weight_dimensions.pt and D must match it. */
  layout?: LoraLayout;
  onProgress?: (p: LoadProgress) => void;
  /** Largest row block of V_k (default 1 GiB; k = 10000 at D = 99,648 is 3.99 GB in 4 blocks). */
  maxBlockBytes?: number;
  /** Makes one block of V_k (the app passes shared memory). */
  alloc?: (n: number) => Float32Array;
}

export const DEFAULT_K = 1000;

const shapeOf = (t: TorchTensor) => `[${t.shape.join(', ')}]`;

export async function loadSpace(folder: SpaceFolder, opts: LoadSpaceOptions = {}): Promise<Space> {
  const n = await discoverPcs(folder, opts.pcs);
  const open = async (file: string) => openTensor(await folder.source(file));
  const progress = (file: string) => (done: number, total: number) => opts.onProgress?.({ file, done, total });
  const read = async (file: string, t: TorchTensor) => t.read({ onProgress: progress(file) });

  const [meanT, stdT, vT, projT, pinvT] = await Promise.all(['mean.pt', 'std.pt', 'V.pt', projFile(n), pinverseFile(n)].map(open));
  const d = meanT.numel;
  if (meanT.shape.length !== 1) throw new Error(`mean.pt: expected a vector, got shape ${shapeOf(meanT)}`);
  if (stdT.shape.length !== 1 || stdT.numel !== d) throw new Error(`std.pt has shape ${shapeOf(stdT)}, mean.pt has ${d} values: they must match`);
  if (vT.shape.length !== 2 || vT.shape[0] !== d)
    throw new Error(`V.pt has shape ${shapeOf(vT)}: its rows must equal mean.pt's length ${d}`);
  const components = vT.shape[1];
  if (opts.layout && d !== opts.layout.size)
    throw new Error(`mean.pt has ${d} values but the UNet's w2w LoRA layout has ${opts.layout.size}: the space belongs to another model`);
  const k = opts.k ?? Math.min(DEFAULT_K, components);
  if (!Number.isSafeInteger(k) || k < 1 || k > components) throw new Error(`k = ${k} components requested, V.pt has ${components} (1..${components})`);
  if (projT.shape.length !== 2 || projT.shape[1] !== n)
    throw new Error(`${projFile(n)} has shape ${shapeOf(projT)}, expected (models, ${n})`);
  const models = projT.shape[0];
  if (pinvT.shape.length !== 2 || pinvT.shape[0] !== n || pinvT.shape[1] !== models)
    throw new Error(`${pinverseFile(n)} has shape ${shapeOf(pinvT)}, expected [${n}, ${models}] to match ${projFile(n)} ${shapeOf(projT)}`);
  if (n > components) throw new Error(`${projFile(n)} has ${n} PCs but V.pt only ${components}`);

  const df = await openDataFrame(await folder.source('identity_df.pt'));
  if (df.rows !== models)
    throw new Error(`identity_df.pt has ${df.rows} rows but ${projFile(n)} has ${models} models: they must be the same models in the same order`);
  await checkWeightDimensions(folder, d, opts.layout);

  const mean = await read('mean.pt', meanT);
  const std = await read('std.pt', stdT);
  const v = await vT.readRowBlocks(k, { onProgress: progress('V.pt'), maxBlockBytes: opts.maxBlockBytes, alloc: opts.alloc });
  const proj = await read(projFile(n), projT);
  const { mean: projMean, std: projStd } = columnStats(proj, models, n);
  const columns = labelColumns(df);
  const directions = directionsOf(await read(pinverseFile(n), pinvT), n, models, columns);
  const index = df.index.values.map(String);
  return new Space({ mean, std, v, k, components, pcs: n, proj, projMean, projStd, directions, labels: { index, columns } });
}

/** Every numeric column of the DataFrame as float (text columns, if any, are not labels; a space built without labels has none). */
function labelColumns(df: TorchDataFrame): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const c of df.columns) {
    try {
      out.set(c, Float32Array.from(df.column(c)));
    } catch (e) {
      if (!/not numeric/.test((e as Error).message)) throw e;
    }
  }
  if (!out.size && df.columns.length) throw new Error('identity_df.pt has no numeric label columns');
  return out;
}

/** pinverse (n×M) @ every label column, in one pass over pinverse. */
export function directionsOf(pinv: Float32Array, n: number, models: number, columns: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  const names = [...columns.keys()];
  const l = names.length;
  const y = new Float32Array(models * l);
  names.forEach((c, j) => columns.get(c)!.forEach((x, m) => (y[m * l + j] = x)));
  const out = names.map(() => new Float32Array(n));
  const acc = new Float64Array(l);
  for (let r = 0; r < n; r++) {
    acc.fill(0);
    for (let m = 0; m < models; m++) {
      const p = pinv[r * models + m];
      for (let j = 0; j < l; j++) acc[j] += p * y[m * l + j];
    }
    for (let j = 0; j < l; j++) out[j][r] = acc[j];
  }
  return new Map(names.map((c, j) => [c, out[j]]));
}

/** weight_dimensions.pt must add up to D and, given the UNet's layout, follow its tensors in order. */
async function checkWeightDimensions(folder: SpaceFolder, d: number, layout?: LoraLayout): Promise<void> {
  const dims = await openWeightDimensions(await folder.source('weight_dimensions.pt'));
  const total = dims.reduce((s, x) => s + x.numel, 0);
  if (total !== d) throw new Error(`weight_dimensions.pt adds up to ${total} values, mean.pt has ${d}`);
  if (!layout) return;
  if (dims.length !== layout.tensors.length)
    throw new Error(`weight_dimensions.pt lists ${dims.length} tensors, the UNet's w2w LoRA layout has ${layout.tensors.length}`);
  dims.forEach((x, i) => {
    const t = layout.tensors[i];
    if (x.numel !== t.size)
      throw new Error(`weight_dimensions.pt entry ${i} (${x.key}) has ${x.numel} values, the UNet's layout needs ${t.size} for ${t.key}`);
  });
}
