// The space's V_k products on onnxruntime: θ = (c V_kᵀ) ⊙ std + mean and ∂L/∂c = (∂L/∂θ ⊙ std) V_k (and c
// from θ through the same product), as graphs of our engine run by the Runtime the Stable Diffusion uses.
// V_k can reach 4 GB (k = 10000 at D = 99,648), so it is cut into row blocks: each block one initializer
// (WebGPU buffers are ≤ maxBufferSize, 1 GiB on SwiftShader), a few blocks per session (external data is
// assembled per session in memory; the wasm heap is ≤ 4 GB), the sessions' parts joined here. The blocks
// are views into the space's own row blocks (never straddling two of them), so V_k is never concatenated.
import type { Graph, Value } from '../graph/ir';
import { checkBlocks, rowRange, type RowBlocks } from '../io/row-blocks';
import { add, concat, createGraph, matmul, mul, reshape, slice } from '../graph/ops/index';
import type { EngineSession } from '../runtime/session';
import type { HostTensor } from '../runtime/tensor';
import type { Runtime } from '../sd/stable-diffusion';

/** What the products need of a space (SpaceData has these). */
export interface Basis {
  /** V[:, :k], D×k row-major, as row blocks. */
  readonly v: RowBlocks;
  readonly k: number;
  readonly std: Float32Array;
  readonly mean: Float32Array;
}

export interface ProjectorOptions {
  /** Largest V block in one initializer, bytes (default 128 MiB: WebGPU's default maxStorageBufferBindingSize, so no adapter limit needs raising). */
  maxBlockBytes?: number;
  /** Largest share of V in one session, bytes (default 1 GiB). */
  maxSessionBytes?: number;
  /**
   * 'split' (default): a session set per direction, each holding its own copy of V_k, one product per call.
   * 'fused': one copy of V_k in sessions computing both products every call (half the memory, twice the work).
   */
  layout?: 'split' | 'fused';
}

type Direction = 'theta' | 'grad';

/** Rows [start, end) of V held by one session, cut into blocks of rows [start, end). */
interface Group {
  readonly start: number;
  readonly end: number;
  readonly blocks: readonly { start: number; end: number }[];
}

const MiB = 2 ** 20;

/**
 * Row blocks of a D×k fp32 matrix within the byte limits, grouped into sessions; `sourceRows` = rows per
 * block of the matrix as held (RowBlocks), so that no initializer straddles two of them.
 */
export function planGroups(d: number, k: number, maxBlockBytes = 128 * MiB, maxSessionBytes = 1024 * MiB, sourceRows = d): Group[] {
  const rowBytes = 4 * k;
  if (rowBytes > maxBlockBytes || maxBlockBytes > maxSessionBytes)
    throw new Error(`projector: one row of V_k is ${rowBytes} bytes (k = ${k}); maxBlockBytes ${maxBlockBytes} must hold a row and fit maxSessionBytes ${maxSessionBytes}`);
  const rowsPerBlock = Math.floor(maxBlockBytes / rowBytes);
  const blocksPerGroup = Math.floor(maxSessionBytes / (rowsPerBlock * rowBytes));
  const pieces: { start: number; end: number }[] = [];
  for (let s = 0; s < d; s += sourceRows)
    for (let b = s; b < Math.min(d, s + sourceRows); b += rowsPerBlock) pieces.push({ start: b, end: Math.min(d, s + sourceRows, b + rowsPerBlock) });
  const groups: Group[] = [];
  for (let i = 0; i < pieces.length; i += blocksPerGroup) {
    const blocks = pieces.slice(i, i + blocksPerGroup);
    groups.push({ start: blocks[0].start, end: blocks[blocks.length - 1].end, blocks });
  }
  return groups;
}

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The graph of one group: input `c` [k,1] → output `theta` [R]; input `g` [1,R] → output `gc` [k]. */
export function projectorGraph(basis: Basis, group: Group, dirs: readonly Direction[], name: string): Graph {
  const { v, k, std, mean } = basis;
  const rows = group.end - group.start;
  const g = createGraph(name);
  const vec = (n: string, a: Float32Array) =>
    g.weight(n, 'float32', [rows], async () => bytesOf(a.subarray(group.start, group.end)));
  const s = vec('std', std);
  const blocks = group.blocks.map((b, i) =>
    g.weight(`v_${i}`, 'float32', [b.end - b.start, k], async () => bytesOf(rowRange(v, k, b.start, b.end))),
  );
  if (dirs.includes('theta')) {
    const c = g.input('c', 'float32', [k, 1]);
    const t = reshape(concat(blocks.map((w) => matmul(w, c)), 0), [rows]);
    g.output(add(mul(t, s), vec('mean', mean)), 'theta');
  }
  if (dirs.includes('grad')) {
    const z = mul(g.input('g', 'float32', [1, rows]), s);
    const parts = group.blocks.map((b, i) =>
      matmul(group.blocks.length === 1 ? z : slice(z, [b.start - group.start], [b.end - group.start], [1]), blocks[i]),
    );
    g.output(reshape(parts.reduce((a: Value, p) => add(a, p)), [k]), 'gc');
  }
  return g;
}

const f32 = (shape: number[], data: Float32Array): HostTensor => ({ dtype: 'float32', shape, data });

export class Projector {
  private readonly groups: Group[];
  private readonly sessions = new Map<Direction, Promise<EngineSession[]>>();
  private released = false;

  private constructor(
    private readonly runtime: Runtime,
    readonly basis: Basis,
    private readonly opts: ProjectorOptions,
  ) {
    const { v, k, std, mean } = basis;
    if (std.length !== mean.length) throw new Error(`projector: std has ${std.length} values, mean ${mean.length}`);
    checkBlocks(v, mean.length, k, 'projector: V_k');
    this.groups = planGroups(mean.length, k, opts.maxBlockBytes, opts.maxSessionBytes, Math.max(1, v[0].length / k));
  }

  /** Sessions are created on first use of each direction (so θ-only callers hold one copy of V_k). */
  static create(runtime: Runtime, basis: Basis, opts: ProjectorOptions = {}): Projector {
    return new Projector(runtime, basis, opts);
  }

  get k(): number {
    return this.basis.k;
  }
  get size(): number {
    return this.basis.mean.length;
  }
  /** Sessions per direction (row groups of V_k). */
  get sessionCount(): number {
    return this.groups.length;
  }

  /** θ = (c V_kᵀ) ⊙ std + mean; c shorter than k is zero-padded. */
  async theta(c: ArrayLike<number>): Promise<Float32Array> {
    if (c.length > this.k) throw new Error(`coefficient vector has ${c.length} entries, the space holds only ${this.k} components`);
    const cc = new Float32Array(this.k);
    cc.set(c);
    const out = new Float32Array(this.size);
    const sessions = await this.sessionsFor('theta');
    for (let i = 0; i < sessions.length; i++) {
      const { start, end } = this.groups[i];
      const r = await sessions[i].run(this.feeds('theta', { c: f32([this.k, 1], cc) }, end - start));
      out.set(r.theta.data as Float32Array, start);
    }
    return out;
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

  /** Frees every session; later calls fail. */
  async release(): Promise<void> {
    this.released = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) for (const x of await s.catch(() => [])) await x.release();
  }

  private async project(g: Float32Array): Promise<Float32Array> {
    const acc = new Float64Array(this.k);
    const sessions = await this.sessionsFor('grad');
    for (let i = 0; i < sessions.length; i++) {
      const { start, end } = this.groups[i];
      const r = await sessions[i].run(this.feeds('grad', { g: f32([1, end - start], g.subarray(start, end)) }, end - start));
      const part = r.gc.data as Float32Array;
      for (let j = 0; j < this.k; j++) acc[j] += part[j];
    }
    return Float32Array.from(acc);
  }

  /** A fused session also takes the other direction's input: zeros. */
  private feeds(dir: Direction, feeds: Record<string, HostTensor>, rows: number): Record<string, HostTensor> {
    if (this.opts.layout !== 'fused') return feeds;
    return dir === 'theta' ? { ...feeds, g: f32([1, rows], new Float32Array(rows)) } : { ...feeds, c: f32([this.k, 1], new Float32Array(this.k)) };
  }

  private sessionsFor(dir: Direction): Promise<EngineSession[]> {
    if (this.released) return Promise.reject(new Error('projector: used after release()'));
    const key: Direction = this.opts.layout === 'fused' ? 'theta' : dir;
    let s = this.sessions.get(key);
    if (!s) {
      const dirs: Direction[] = this.opts.layout === 'fused' ? ['theta', 'grad'] : [dir];
      s = (async () => {
        const out: EngineSession[] = [];
        try {
          // One at a time: each session's external data is assembled in memory while it is created.
          for (const [i, grp] of this.groups.entries())
            out.push(await this.runtime.createSession(projectorGraph(this.basis, grp, dirs, `w2w-projector-${dirs.join('-')}-${i}`)));
          return out;
        } catch (e) {
          for (const x of out) await x.release().catch(() => {});
          throw new Error(`projector: creating session ${out.length + 1} of ${this.groups.length} failed: ${(e as Error).message}`);
        }
      })();
      // A failed creation is not cached, so a later call retries.
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }
}
