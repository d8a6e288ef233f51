// The space's V_k products on onnxruntime, from the graph of basis-graph.ts: θ = (V_k c) ⊙ std + mean, and
// ∂L/∂c = (∂L/∂θ ⊙ std)ᵀ V_k as that graph's VJP (so the two cannot disagree), and c from θ through the
// same product. V_k, std and mean are weights of the space's source: a runtime whose sessions take weights
// from a store (runtime/weight-store.ts) holds one copy of them for both products and for inversion's
// gradient graph, which computes θ itself (basisFor). Without a store each session holds its own copy.
import { vjp } from '../graph/autodiff';
import { createGraph } from '../graph/ops/index';
import { checkBlocks, type RowBlocks } from '../io/row-blocks';
import type { EngineSession } from '../runtime/session';
import { f32 } from '../runtime/tensor';
import type { Runtime } from '../sd/stable-diffusion';
import { BASIS_BLOCK_BYTES, basisKey, basisTheta, newBasisSource, type BasisStorage, type GraphBasis } from './basis-graph';

/** What the products need of a space (SpaceData has these). */
export interface Basis {
  /** V[:, :k], D×k row-major, as row blocks. */
  readonly v: RowBlocks;
  readonly k: number;
  readonly std: Float32Array;
  readonly mean: Float32Array;
}

export interface ProjectorOptions {
  /** How V_k is stored where the sessions run (default float32). */
  storage?: BasisStorage;
  /** Largest V block in one weight, bytes (default 128 MiB, WebGPU's default binding limit). */
  maxBlockBytes?: number;
}

type Direction = 'theta' | 'grad';

export class Projector {
  private readonly sessions = new Map<Direction, Promise<EngineSession>>();
  private released = false;
  /** The whole basis (k components) as graphs take it. */
  readonly basis: GraphBasis;

  private constructor(private readonly runtime: Runtime, space: Basis, opts: ProjectorOptions) {
    const { v, k, std, mean } = space;
    if (std.length !== mean.length) throw new Error(`projector: std has ${std.length} values, mean ${mean.length}`);
    checkBlocks(v, mean.length, k, 'projector: V_k');
    this.basis = { source: newBasisSource(), v, stride: k, k, std, mean, storage: opts.storage ?? 'float32', maxBlockBytes: opts.maxBlockBytes ?? BASIS_BLOCK_BYTES };
  }

  /** Sessions are created on first use of each direction. */
  static create(runtime: Runtime, basis: Basis, opts: ProjectorOptions = {}): Projector {
    return new Projector(runtime, basis, opts);
  }

  get k(): number {
    return this.basis.k;
  }
  get size(): number {
    return this.basis.mean.length;
  }
  get storage(): BasisStorage {
    return this.basis.storage;
  }

  /** The first n ≤ k components, for a graph that computes θ from n coefficients (same weights source). */
  basisFor(n: number): GraphBasis {
    if (!Number.isInteger(n) || n < 1 || n > this.k) throw new Error(`projector: ${n} components asked, the space holds ${this.k}`);
    return { ...this.basis, k: n };
  }

  /** θ = (c V_kᵀ) ⊙ std + mean; c shorter than k is zero-padded. */
  async theta(c: ArrayLike<number>): Promise<Float32Array> {
    if (c.length > this.k) throw new Error(`coefficient vector has ${c.length} entries, the space holds only ${this.k} components`);
    const cc = new Float32Array(this.k);
    cc.set(c);
    const r = await (await this.session('theta')).run({ coef: f32([this.k], cc) });
    return r.theta.data as Float32Array;
  }

  /** ∂L/∂c = (∂L/∂θ ⊙ std) V_k. */
  async gradCoef(gradTheta: ArrayLike<number>): Promise<Float32Array> {
    if (gradTheta.length !== this.size) throw new Error(`gradient has ${gradTheta.length} values, the space's std has ${this.size}`);
    return this.project(Float32Array.from(gradTheta));
  }

  /** c = ((θ − mean) / std) V_k, as the gradient product of ((θ − mean) / std) / std. */
  async coef(theta: ArrayLike<number>): Promise<Float32Array> {
    const { mean, std } = this.basis;
    if (theta.length !== this.size) throw new Error(`weight vector has ${theta.length} values, the space's mean has ${this.size}`);
    return this.project(Float32Array.from(mean, (m, j) => (theta[j] - m) / std[j] / std[j]));
  }

  /** Frees the sessions and the weights a store holds for this space; later calls fail. */
  async release(): Promise<void> {
    this.released = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s.catch(() => undefined))?.release();
    await this.runtime.forget?.(this.basis.source);
  }

  private async project(g: Float32Array): Promise<Float32Array> {
    const r = await (await this.session('grad')).run({ coef: f32([this.k], new Float32Array(this.k)), cotangent: f32([this.size], g) });
    return r.grad_coef.data as Float32Array;
  }

  private session(dir: Direction): Promise<EngineSession> {
    if (this.released) return Promise.reject(new Error('projector: used after release()'));
    let s = this.sessions.get(dir);
    if (!s) {
      const g = createGraph(`basis_${dir}_${basisKey(this.basis)}`);
      const { coef, theta } = basisTheta(g, this.basis);
      if (dir === 'theta') g.output(theta, 'theta');
      else g.output(vjp([theta], [g.input('cotangent', 'float32', theta.shape)], [coef])[0], 'grad_coef');
      s = this.runtime.createSession(g).catch((e: Error) => {
        // A failed creation is not kept, so a later call retries.
        this.sessions.delete(dir);
        throw new Error(`projector: creating the ${dir === 'theta' ? 'θ' : '∂L/∂c'} session failed: ${e.message}`);
      });
      this.sessions.set(dir, s);
    }
    return s;
  }
}
