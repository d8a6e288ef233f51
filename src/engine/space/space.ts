// A loaded w2w space: the PCA basis of standardized LoRA weights plus the training models' coefficients
// and attribute labels. Everything an identity needs (sample, edit, project, gradient) goes through here.
import { checkBlocks, type RowBlocks } from '../io/row-blocks';
import { Rng } from '../sd/random';
import type { Runtime } from '../sd/stable-diffusion';
import { coefGrad, coefToTheta, debias, dot, padTo, thetaToCoef } from './math';
import type { GraphBasis } from './basis-graph';
import { Projector, type ProjectorOptions } from './projector';
import { TrainingSearch } from './training-search';

export interface SpaceLabels {
  /** The DataFrame's index (`file`), one entry per training model, in proj's row order. */
  readonly index: readonly string[];
  /** Label columns as stored, each converted to float (0/1 or ±1 alike). */
  readonly columns: ReadonlyMap<string, Float32Array>;
}

export interface SpaceData {
  /** D = the LoRA layout's size. */
  readonly mean: Float32Array;
  readonly std: Float32Array;
  /** V[:, :k], D×k row-major, as row blocks (each ≤ 1 GiB by default: one block up to k = 2693 at D = 99,648). */
  readonly v: RowBlocks;
  readonly k: number;
  /** Columns V.pt holds (k ≤ this). */
  readonly components: number;
  /** n of proj_<n>pc: training coefficients per model. */
  readonly pcs: number;
  /** proj_<n>pc, M×n row-major. */
  readonly proj: Float32Array;
  /** Per-PC mean and unbiased std of proj's columns (sampling). */
  readonly projMean: Float32Array;
  readonly projStd: Float32Array;
  /** pinverse_<n>pc @ label column, n entries, for every label column. */
  readonly directions: ReadonlyMap<string, Float32Array>;
  readonly labels: SpaceLabels;
}

export interface Edit {
  /** A label column, or a debias chain `A~B~C` (A with B's, then C's, direction removed). */
  readonly direction: string;
  /** Raw strength: c' = c + α d. */
  readonly alpha?: number;
  /** Calibrated strength: α = slider × calibration(direction).unit. */
  readonly slider?: number;
}

export interface Calibration {
  /** α of one slider unit: max over training models of |t_m|, t_m = (proj_m · d) / (d · d). */
  readonly unit: number;
  /** Mean of t_m over the training models (where the average identity sits on the slider, in α). */
  readonly center: number;
}

/** An edit's strength as applied: raw α and the slider unit it was calibrated with. */
export interface AppliedEdit {
  readonly direction: string;
  readonly alpha: number;
  readonly unit: number;
}

/** Moves of an identity that are not attribute edits; `withOffsets` applies them. */
export interface Offsets {
  /** Offsets of the top principal components, in units of their std over the training models (projStd). */
  readonly pcOffsets?: readonly number[];
  /** Offsets along vectors over the coefficients (label-free directions), in units of `unit`. */
  readonly directions?: { readonly vectors: readonly ArrayLike<number>[]; readonly unit: number; readonly offsets: readonly number[] };
}

export interface Neighbor {
  readonly row: number;
  readonly file: string;
  readonly cosine: number;
}

export class Space {
  private attached?: Projector;
  // Calibrations scan every training model; sliders ask for the same few directions again and again.
  private readonly calibrations = new Map<string, Calibration>();
  private search?: TrainingSearch;

  constructor(readonly data: SpaceData) {
    checkBlocks(data.v, data.mean.length, data.k, 'V_k');
  }

  /** The onnxruntime projector the async products use, if any. */
  get projector(): Projector | undefined {
    return this.attached;
  }

  /**
   * Runs the async products (thetaAsync, coefAsync, gradCoefAsync) on `runtime` (the one the Stable
   * Diffusion uses); sessions are created on first use. Replaces (and releases) a previous projector.
   */
  async useRuntime(runtime: Runtime, opts: ProjectorOptions = {}): Promise<Projector> {
    const p = Projector.create(runtime, this.data, opts);
    await this.attached?.release();
    this.attached = p;
    return p;
  }

  /** Back to the plain loops; the projector's sessions are released. */
  async detachProjector(): Promise<void> {
    const p = this.attached;
    this.attached = undefined;
    await p?.release();
  }

  get k(): number {
    return this.data.k;
  }
  get size(): number {
    return this.data.mean.length;
  }
  get models(): number {
    return this.data.proj.length / this.data.pcs;
  }
  get labelColumns(): string[] {
    return [...this.data.directions.keys()];
  }

  /** Flat LoRA vector of coefficients c (length ≤ k). */
  theta(c: ArrayLike<number>): Float32Array {
    return coefToTheta(c, this.data.v, this.data.k, this.data.std, this.data.mean);
  }

  /** Coefficients (k) of a flat LoRA vector: its projection onto the space. */
  coef(theta: ArrayLike<number>): Float32Array {
    return thetaToCoef(theta, this.data.v, this.data.k, this.data.std, this.data.mean);
  }

  /** ∂L/∂c (k) from ∂L/∂θ (D). */
  gradCoef(gradTheta: ArrayLike<number>): Float32Array {
    return coefGrad(gradTheta, this.data.v, this.data.k, this.data.std);
  }

  /** The first n components for graphs computing θ themselves, when a projector is attached. */
  graphBasis(n: number): GraphBasis | undefined {
    return this.attached?.basisFor(n);
  }

  /** theta(c) on the attached projector, else the loops. */
  thetaAsync(c: ArrayLike<number>): Promise<Float32Array> {
    return this.attached ? this.attached.theta(c) : Promise.resolve().then(() => this.theta(c));
  }

  /** coef(θ) on the attached projector, else the loops. */
  coefAsync(theta: ArrayLike<number>): Promise<Float32Array> {
    return this.attached ? this.attached.coef(theta) : Promise.resolve().then(() => this.coef(theta));
  }

  /** gradCoef(∂L/∂θ) on the attached projector, else the loops. */
  gradCoefAsync(gradTheta: ArrayLike<number>): Promise<Float32Array> {
    return this.attached ? this.attached.gradCoef(gradTheta) : Promise.resolve().then(() => this.gradCoef(gradTheta));
  }

  /** A new identity: c_i ~ N(μ_i, (f σ_i)²) for the n PCs of proj, 0 beyond (k entries). */
  sample(seed: number, diversity = 1): Float32Array {
    const rng = new Rng(seed);
    const { projMean, projStd, pcs } = this.data;
    const c = new Float32Array(this.k);
    for (let i = 0; i < Math.min(pcs, this.k); i++) c[i] = projMean[i] + diversity * projStd[i] * rng.normal();
    return c;
  }

  /** The direction (n entries) of a label column or a debias chain `A~B~C`. */
  direction(spec: string): Float32Array {
    const [first, ...against] = spec.split('~');
    let d = this.column(first);
    for (const m of against) d = debias(d, this.column(m));
    return d;
  }

  /** The direction zero-padded to k, as it is added to coefficients. */
  directionK(spec: string): Float32Array {
    return this.toK(this.direction(spec));
  }

  /** A vector over the n PCs of proj as k coefficients: zero-padded, or cut to the first k when k < n. */
  private toK(x: Float32Array): Float32Array {
    return padTo(x, Math.max(this.k, this.data.pcs)).subarray(0, this.k);
  }

  /** The training identities: label filters, cosine order, pages (built on first use; row norms cached). */
  get training(): TrainingSearch {
    return (this.search ??= new TrainingSearch(this.data));
  }

  /** Training model `row` as an identity: its proj row as k coefficients (a copy). */
  trainingCoef(row: number): Float32Array {
    if (!Number.isSafeInteger(row) || row < 0 || row >= this.models) throw new Error(`training identity ${row} does not exist: the space has rows 0..${this.models - 1}`);
    const { proj, pcs } = this.data;
    return this.toK(proj.subarray(row * pcs, (row + 1) * pcs)).slice();
  }

  /** Slider units of a direction, from the spread of the training models along it (computed once per spec). */
  calibration(spec: string): Calibration {
    let c = this.calibrations.get(spec);
    if (!c) this.calibrations.set(spec, (c = this.calibrate(spec)));
    return c;
  }

  private calibrate(spec: string): Calibration {
    const d = this.direction(spec);
    const dd = dot(d, d);
    const { proj, pcs } = this.data;
    let max = 0;
    let sum = 0;
    for (let m = 0; m < this.models; m++) {
      const t = dd === 0 ? 0 : dot(proj.subarray(m * pcs, (m + 1) * pcs), d) / dd;
      max = Math.max(max, Math.abs(t));
      sum += t;
    }
    return { unit: max, center: sum / Math.max(this.models, 1) };
  }

  /** c + Σ α_j d_j; each edit's α is raw or slider × its calibration unit. */
  edit(c: ArrayLike<number>, edits: readonly Edit[]): Float32Array {
    const out = padTo(Float32Array.from(c), this.k).slice();
    for (const e of edits) {
      const alpha = this.alphaOf(e);
      const d = this.directionK(e.direction);
      for (let i = 0; i < out.length; i++) out[i] += alpha * d[i];
    }
    return out;
  }

  /** edit(c, edits) and the α and slider unit each edit became. */
  editWithAlphas(c: ArrayLike<number>, edits: readonly Edit[]): { edited: Float32Array; alphas: AppliedEdit[] } {
    const alphas = edits.map((e) => ({ direction: e.direction, alpha: this.alphaOf(e), unit: this.calibration(e.direction).unit }));
    return { edited: this.edit(c, alphas.map(({ direction, alpha }) => ({ direction, alpha }))), alphas };
  }

  /** c (same length) moved by the top-PC offsets, then by each direction's offset × unit. */
  withOffsets(c: ArrayLike<number>, o: Offsets): Float32Array {
    const out = Float32Array.from(c);
    const { projStd, pcs } = this.data;
    const pcOffsets = o.pcOffsets ?? [];
    for (let i = 0; i < Math.min(pcOffsets.length, pcs, this.k, out.length); i++) out[i] += pcOffsets[i] * projStd[i];
    const dirs = o.directions;
    dirs?.vectors.forEach((v, j) => {
      const s = (dirs.offsets[j] ?? 0) * dirs.unit;
      if (s) for (let i = 0; i < Math.min(v.length, out.length); i++) out[i] += s * v[i];
    });
    return out;
  }

  alphaOf(e: Edit): number {
    if ((e.alpha === undefined) === (e.slider === undefined))
      throw new Error(`edit ${e.direction}: give exactly one of alpha (raw) or slider (calibrated)`);
    return e.alpha ?? e.slider! * this.calibration(e.direction).unit;
  }

  /** The `count` training models closest to c by cosine over the first n coefficients (novelty check). */
  nearest(c: ArrayLike<number>, count = 5): Neighbor[] {
    return this.training.query({ similarTo: c, count }).rows.map(({ row, file, cosine }) => ({ row, file, cosine: cosine! }));
  }

  private column(name: string): Float32Array {
    const d = this.data.directions.get(name);
    if (!d)
      throw new Error(`unknown attribute ${JSON.stringify(name)}: the space's labels are ${[...this.data.directions.keys()].join(', ')}`);
    return d;
  }
}
