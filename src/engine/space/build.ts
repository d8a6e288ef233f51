// Building a w2w space from a collection of LoRAs (one base model, same targets and rank): each LoRA
// flattened as w2w flattens its own (sorted PEFT keys, A then B, row-major, at the strength the file
// states), standardized per parameter (mean and torch.std's unbiased std), PCA'd by a randomized SVD
// over row blocks read afresh on every pass, and written as the official file set. Pure TS over
// ByteSources: it runs in Node and in a worker, with progress (ETA) and an AbortSignal.
import { openSafetensors } from '../io/safetensors';
import { fromBytes, type ByteSource } from '../io/source';
import { layoutRank, type LoraLayout } from '../models/lora';
import { readLora, type AdapterScale } from '../models/lora-files';
import { loraLayoutOfFile } from '../models/lora-scan';
import { saveDataFrame, saveTensor, saveWeightDimensions } from '../torch/index';
import { torchZip } from '../torch/write';
import { pinverseFile, projFile } from './files';
import type { Labels } from './labels-csv';
import { pcaPasses, randomizedPca, type RowStream } from './pca';
import { pseudoInverse } from './pinverse';

export interface LoraInput {
  /** Shown in messages and written as the DataFrame's index (`file`). */
  readonly name: string;
  /** Opened once per pass: a Node path, a dropped File, … */
  open(): Promise<ByteSource>;
  /** A PEFT adapter's adapter_config.json (its strength). */
  readonly config?: AdapterScale;
}

export interface BuildProgress {
  readonly phase: string;
  /** Pass over the LoRAs, 1-based, of `passes`. */
  readonly pass: number;
  readonly passes: number;
  /** LoRAs read in this pass, of `rows`. */
  readonly done: number;
  readonly rows: number;
  /** Of the whole build, 0..1. */
  readonly fraction: number;
  /** Seconds left at the pace so far (undefined until a block has been read). */
  readonly etaSeconds?: number;
}

export interface BuildOptions {
  /** K: principal components kept (reduced to N − 1 when fewer LoRAs span fewer). */
  components: number;
  /** The base UNet's LoRA layout; without one, the first LoRA's own layout binds the others. */
  layout?: LoraLayout;
  labels?: Labels;
  oversample?: number;
  powerIterations?: number;
  seed?: number;
  /** Largest block of standardized rows held (default 64 MiB). */
  blockBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuiltSpace {
  /** The official files: name → torch.save bytes. */
  readonly files: { readonly name: string; readonly bytes: Uint8Array }[];
  readonly components: number;
  readonly layout: LoraLayout;
  readonly singularValues: Float64Array;
  /** Fraction of the total (standardized) variance per component. */
  readonly explained: Float64Array;
  /** Why K differs from the one asked, and the like. */
  readonly notes: string[];
}

/** The passes' names, in order: statistics, the PCA's, then every LoRA's coefficients. */
function passNames(power: number): string[] {
  const pca = ['range'];
  for (let i = 1; i <= power; i++) pca.push(`power iteration ${i}/${power}`, `power iteration ${i}/${power}`);
  pca.push('basis');
  if (pca.length !== pcaPasses(power)) throw new Error('pass names out of step with the PCA');
  return ['statistics', ...pca, 'coefficients'];
}

export async function buildSpace(loras: readonly LoraInput[], opts: BuildOptions): Promise<BuiltSpace> {
  const n = loras.length;
  if (n < 2) throw new Error(`a space needs at least 2 LoRAs, got ${n}`);
  if (opts.labels && opts.labels.values.length !== n * opts.labels.columns.length)
    throw new Error(`labels hold ${opts.labels.values.length / Math.max(1, opts.labels.columns.length)} rows for ${n} LoRAs`);
  const notes: string[] = [];
  const first = await openSafetensors(await loras[0].open());
  const layout = opts.layout ?? loraLayoutOfFile(first);
  const d = layout.size;
  const power = opts.powerIterations ?? 4;
  let k = opts.components;
  if (!Number.isSafeInteger(k) || k < 1) throw new Error(`--components must be a positive integer, got ${k}`);
  const most = Math.min(n - 1, d);
  if (k > most) {
    notes.push(`K = ${k} reduced to ${most}: ${n} LoRAs span at most ${n - 1} directions around their mean${d < n - 1 ? ` and D = ${d}` : ''}`);
    k = most;
  }

  const names = passNames(power);
  // Blocks of ≤ 32 LoRAs (read in parallel; progress between them) and ≤ blockBytes of float64 rows.
  const blockRows = Math.max(1, Math.min(n, 32, Math.floor((opts.blockBytes ?? 64 << 20) / (8 * d))));
  const started = Date.now();
  let pass = 0;
  /** One pass over the LoRAs: `row` gets each flat vector (float32, layout order) in turn, a block at a time. */
  const eachBlock = async (use: (rows: Float32Array[], first: number) => void, signal?: AbortSignal) => {
    pass++;
    for (let at = 0; at < n; at += blockRows) {
      signal?.throwIfAborted();
      const rows = await Promise.all(loras.slice(at, at + blockRows).map((l) => flatten(l, layout, loras[0].name, !opts.layout)));
      use(rows, at);
      const done = Math.min(n, at + blockRows);
      const fraction = (pass - 1 + done / n) / names.length;
      const elapsed = (Date.now() - started) / 1000;
      opts.onProgress?.({ phase: names[pass - 1], pass, passes: names.length, done, rows: n, fraction, etaSeconds: (elapsed / fraction) * (1 - fraction) });
    }
  };

  // Pass 1: per-parameter mean and unbiased std (Welford, float64), every LoRA checked against the layout.
  const mean64 = new Float64Array(d);
  const m2 = new Float64Array(d);
  let seen = 0;
  await eachBlock((rows) => {
    for (const x of rows) {
      seen++;
      for (let t = 0; t < d; t++) {
        const delta = x[t] - mean64[t];
        mean64[t] += delta / seen;
        m2[t] += delta * (x[t] - mean64[t]);
      }
    }
  }, opts.signal);
  const mean = Float32Array.from(mean64);
  const std = Float32Array.from(m2, (s) => Math.sqrt(s / (n - 1)));
  // A parameter equal in every LoRA has std 0 (w2w would divide by it: NaN); 1 keeps θ = mean there.
  const constant = std.reduce((c, s) => c + (s === 0 ? 1 : 0), 0);
  if (constant) {
    std.forEach((s, t) => s === 0 && (std[t] = 1));
    notes.push(`${constant} of ${d} parameters are the same in every LoRA: std.pt holds 1 there (their rows of V are 0)`);
  }

  // z = (θ − mean) / std with the values as stored, so the files reproduce the coefficients exactly.
  const standardized: RowStream = {
    rows: n,
    cols: d,
    pass: (block, signal) =>
      eachBlock((rows, at) => {
        const z = new Float64Array(rows.length * d);
        rows.forEach((x, r) => {
          for (let t = 0; t < d; t++) z[r * d + t] = (x[t] - mean[t]) / std[t];
        });
        block(z, at, rows.length);
      }, signal),
  };
  const pca = await randomizedPca(standardized, { components: k, oversample: opts.oversample, powerIterations: power, seed: opts.seed, signal: opts.signal });
  const { v } = pca;

  // Last pass: every LoRA's coefficients, proj = z @ V as w2w's project() computes them.
  const proj = new Float32Array(n * k);
  await standardized.pass((z, at, count) => {
    // Parameters outermost: V (D×K) is read once per block, not once per LoRA.
    const acc = new Float64Array(count * k);
    for (let t = 0; t < d; t++) {
      const o = t * k;
      for (let r = 0; r < count; r++) {
        const x = z[r * d + t];
        if (x !== 0) for (let j = 0, a = r * k; j < k; j++) acc[a + j] += x * v[o + j];
      }
    }
    proj.set(acc, at * k);
  }, opts.signal);
  const pinv = pseudoInverse(proj, n, k);

  const labels = opts.labels ?? { columns: [], values: new Float64Array(0), dtype: 'int64' as const };
  const files = [
    { name: 'mean.pt', bytes: saveTensor(mean, [d], { archiveName: 'mean' }) },
    { name: 'std.pt', bytes: saveTensor(std, [d], { archiveName: 'std' }) },
    { name: 'V.pt', bytes: saveTensor(v, [d, k], { archiveName: 'V' }) },
    { name: projFile(k), bytes: saveTensor(proj, [n, k], { archiveName: projFile(k).slice(0, -3) }) },
    { name: pinverseFile(k), bytes: saveTensor(pinv, [k, n], { archiveName: pinverseFile(k).slice(0, -3) }) },
    {
      name: 'identity_df.pt',
      bytes: saveDataFrame({ columns: labels.columns, index: { name: 'file', labels: loras.map((l) => l.name) }, values: labels.values, dtype: labels.dtype }),
    },
    { name: 'weight_dimensions.pt', bytes: saveWeightDimensions(layout.tensors.map((t) => ({ key: t.key, shape: t.shape }))) },
  ];
  if (layoutRank(layout) !== 1) notes.push(`rank ${layoutRank(layout)}: the app applies rank-1 spaces only; the files are for the official code`);
  const explained = pca.singularValues.map((s) => (s * s) / pca.totalSquares);
  return { files, components: k, layout, singularValues: pca.singularValues, explained, notes };
}

/**
 * The built files as one download: a stored (uncompressed) zip, `w2w-space-<name>/<file>` in the files' order,
 * written by torch's own zip writer (any unzip reads it; the names are kept to `[\w.@+-]`).
 */
export function spaceZip(name: string, files: BuiltSpace['files']): { name: string; bytes: Uint8Array } {
  const archive = `w2w-space-${name}`.replace(/[^\w.@+-]+/g, '_');
  return { name: `${archive}.zip`, bytes: torchZip(archive, files.map((f) => [f.name, f.bytes] as const)) };
}

/** One LoRA's flat vector; a mismatch with the layout names both files and both shapes. */
async function flatten(l: LoraInput, layout: LoraLayout, firstName: string, fromFirst: boolean): Promise<Float32Array> {
  try {
    // One read per file: its ~2 tensors per module would each be a read of the source otherwise.
    const src = await l.open();
    const whole = fromBytes(src.name, await src.read(0, src.size));
    return (await readLora(layout, await openSafetensors(whole), l.config)).flat;
  } catch (e) {
    const msg = (e as Error).message;
    const against = fromFirst ? `the first LoRA, ${firstName}, sets the layout` : "the base UNet's layout";
    throw new Error(`${l.name} does not match (${against}): ${msg}`);
  }
}
