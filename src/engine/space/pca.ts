// PCA of a tall N×D matrix Z that is only ever seen as a stream of row blocks (the standardized LoRAs,
// read from disk or dropped files on each pass): a randomized SVD (Halko, Martinsson & Tropp 2011, alg.
// 4.4 + 5.1) with q = K + oversampling columns and subspace (power) iterations, re-orthonormalized after
// every product so rounding cannot collapse the basis. Memory: one D×q and one N×q float64 matrix and the
// block in hand — Z is never held whole. Passes over Z: 2 + 2 × powerIterations. When q reaches N the range
// holds all of Z's row space and the result is exact (to rounding) whatever the spectrum.
import { Rng } from '../sd/random';
import { dot, jacobiSvd, qr } from './dense';

export interface RowStream {
  /** N rows and D columns. */
  readonly rows: number;
  readonly cols: number;
  /** One pass: `block` gets consecutive row-major blocks of Z (count × D) in order, from row `first`. */
  pass(block: (z: Float64Array, first: number, count: number) => void, signal?: AbortSignal): Promise<void>;
}

export interface PcaOptions {
  components: number;
  /** Extra columns of the range finder (default 10). */
  oversample?: number;
  /** Subspace iterations (default 4: for a spectrum decaying as in w2w, far below float32 rounding). */
  powerIterations?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Called after each pass over Z, with how many there are in all. */
  onPass?: (done: number, total: number, what: string) => void;
}

export interface PcaResult {
  /** D×K row-major: a row per parameter, column i = the i-th principal direction (unit length). */
  readonly v: Float32Array;
  /** K singular values of Z, descending. */
  readonly singularValues: Float64Array;
  /** ‖Z‖²_F: the total variance × (N − 1), for explained-variance fractions. */
  readonly totalSquares: number;
}

/** Passes over Z that `randomizedPca` makes. */
export const pcaPasses = (powerIterations = 4): number => 2 + 2 * powerIterations;

export async function randomizedPca(z: RowStream, opts: PcaOptions): Promise<PcaResult> {
  const { rows: n, cols: d } = z;
  const k = opts.components;
  const power = opts.powerIterations ?? 4;
  const over = opts.oversample ?? 10;
  for (const [name, x] of [['power iterations', power], ['oversample', over]] as const)
    if (!Number.isSafeInteger(x) || x < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${x}`);
  const q = Math.min(n, d, k + over);
  if (!Number.isSafeInteger(k) || k < 1 || k > q) throw new Error(`${k} components asked of a ${n}×${d} matrix`);
  const passes = pcaPasses(power);
  let done = 0;
  const step = (what: string) => opts.onPass?.(++done, passes, what);

  const wide = Float64Array.from(new Rng(opts.seed ?? 0).normals(d * q)); // D×q, column-major
  const tall = new Float64Array(n * q); // N×q, column-major
  let totalSquares = 0;

  // tall = Z · wide: one dot product per row and column. Columns outermost, so each column of `wide` (D
  // values) is read once per block rather than once per row: the products are bound by memory traffic.
  const times = async (what: string, squares = false) => {
    await z.pass((block, first, count) => {
      if (squares) for (let i = 0; i < count * d; i++) totalSquares += block[i] * block[i];
      for (let j = 0; j < q; j++) {
        const w = j * d;
        for (let r = 0; r < count; r++) tall[j * n + first + r] = dot(block, r * d, wide, w, d);
      }
    }, opts.signal);
    step(what);
  };
  // wide = Zᵀ · tall: each row of Z added into every column, weighted (columns outermost, as above).
  const timesT = async (what: string) => {
    wide.fill(0);
    await z.pass((block, first, count) => {
      for (let j = 0; j < q; j++) {
        const w = j * d;
        for (let r = 0; r < count; r++) {
          const c = tall[j * n + first + r];
          if (c === 0) continue;
          const row = r * d;
          for (let t = 0; t < d; t++) wide[w + t] += c * block[row + t];
        }
      }
    }, opts.signal);
    step(what);
  };

  await times('range', true);
  for (let i = 0; i < power; i++) {
    qr(tall, n, q);
    await timesT(`power iteration ${i + 1}`);
    qr(wide, d, q);
    await times(`power iteration ${i + 1}`);
  }
  qr(tall, n, q);
  await timesT('projection'); // wide = Zᵀ Q = Bᵀ, D×q
  // Bᵀ = Q₂ R and R = U_r S Wᵀ, so Bᵀ = (Q₂ U_r) S Wᵀ: Z's right singular vectors are Q₂ U_r.
  const r = qr(wide, d, q);
  const { u: ur, s } = jacobiSvd(r, q, q);
  const v = new Float32Array(d * k);
  const row = new Float64Array(q);
  for (let t = 0; t < d; t++) {
    for (let i = 0; i < q; i++) row[i] = wide[i * d + t];
    for (let j = 0; j < k; j++) {
      let acc = 0;
      for (let i = 0; i < q; i++) acc += row[i] * ur[j * q + i];
      v[t * k + j] = acc;
    }
  }
  flipSigns(v, d, k);
  return { v, singularValues: s.slice(0, k), totalSquares };
}

/** A deterministic sign per component: its largest-magnitude entry positive (svd_flip's rule on V). */
function flipSigns(v: Float32Array, d: number, k: number): void {
  for (let j = 0; j < k; j++) {
    let at = 0;
    for (let t = 1; t < d; t++) if (Math.abs(v[t * k + j]) > Math.abs(v[at * k + j])) at = t;
    if (v[at * k + j] < 0) for (let t = 0; t < d; t++) v[t * k + j] = -v[t * k + j];
  }
}
