// J = ∂h/∂w at fixed inputs, as an operator on host vectors: h, J·v, Jᵀ·u and the metric JᵀJ·v, each a
// run of a pullback session (graph.ts). Two spaces: w = x_t (one point; a block of vectors is one batched
// run, the Jacobian being block-diagonal over the batch) and w = the w2w coefficients c (several points
// (x_t, t, prompt) share θ(c); J stacks their Jacobians, so JᵀJ is the sum over points, one run per vector).
import { numel } from '../graph/dtype';
import type { HostTensor } from '../runtime/tensor';
import { f32, i64 } from '../runtime/tensor';
import type { StableDiffusion } from '../sd/stable-diffusion';
import { coefToTheta } from '../space/math';
import type { Space } from '../space/space';
import type { PullbackProduct } from './graph';
import type { Vec } from './linalg';

/** Where J is taken: x_t [1, C, h, w], its timestep and a prompt embedding [1, tokens, dim]. */
export interface PullbackPoint {
  readonly sample: HostTensor;
  readonly timestep: number;
  readonly text: HostTensor;
}

/** The space's affine map c → θ = (c V_kᵀ) ⊙ std + mean, its linear part and that part's transpose. */
interface CoefficientMap {
  readonly k: number;
  theta(c: ArrayLike<number>): Float32Array;
  tangent(v: ArrayLike<number>): Float32Array;
  gradCoef(g: ArrayLike<number>): Float32Array;
}

/** The map over the first `dims` coefficients (the rest held at the point's values). */
function coefficientMap(space: Space, dims: number): CoefficientMap {
  const zero = new Float32Array(space.size);
  return {
    k: dims,
    theta: (c) => space.theta(c),
    tangent: (v) => coefToTheta(v, space.data.v, space.k, space.data.std, zero),
    gradCoef: (g) => space.gradCoef(g).subarray(0, dims),
  };
}

const stack = (parts: readonly ArrayLike<number>[], each: number): Float32Array => {
  const out = new Float32Array(parts.length * each);
  parts.forEach((p, i) => {
    if (p.length !== each) throw new Error(`pullback: vector ${i} has ${p.length} values, expected ${each}`);
    out.set(p, i * each);
  });
  return out;
};
const split = (t: HostTensor, parts: number): Vec[] => {
  const d = t.data as Float32Array;
  const each = d.length / parts;
  return Array.from({ length: parts }, (_, i) => Float64Array.from(d.subarray(i * each, (i + 1) * each)));
};

function checkPoints(points: readonly PullbackPoint[]): void {
  if (!points.length) throw new Error('pullback: no points (x_t, t, prompt) given');
  const [s0, t0] = [points[0].sample.shape, points[0].text.shape];
  points.forEach((p, i) => {
    if (p.sample.shape.length !== 4 || p.sample.shape[0] !== 1) throw new Error(`pullback: x_t ${i} has shape [${p.sample.shape}], expected [1, C, h, w]`);
    if (p.text.shape.length !== 3 || p.text.shape[0] !== 1) throw new Error(`pullback: prompt embedding ${i} has shape [${p.text.shape}], expected [1, tokens, dim]`);
    if (p.sample.shape.join() !== s0.join() || p.text.shape.join() !== t0.join())
      throw new Error(`pullback: point ${i} has x_t [${p.sample.shape}] / text [${p.text.shape}], point 0 [${s0}] / [${t0}]: all must match`);
    if (!Number.isInteger(p.timestep) || p.timestep < 0) throw new Error(`pullback: timestep ${p.timestep} must be a non-negative integer`);
  });
}

/** Feeds for the UNet part: `points[idx[b]]` in batch slot b. */
function pointFeeds(points: readonly PullbackPoint[], idx: readonly number[], lora: Float32Array): Record<string, HostTensor> {
  const ps = idx.map((i) => points[i]);
  const { sample, text } = ps[0];
  return {
    sample: f32([idx.length, ...sample.shape.slice(1)], stack(ps.map((p) => p.sample.data as Float32Array), numel(sample.shape))),
    timestep: i64([idx.length], ps.map((p) => p.timestep)),
    encoder_hidden_states: f32([idx.length, ...text.shape.slice(1)], stack(ps.map((p) => p.text.data as Float32Array), numel(text.shape))),
    lora: f32([lora.length], lora),
  };
}

export class MidJacobian {
  private constructor(
    private readonly sd: StableDiffusion,
    private readonly points: readonly PullbackPoint[],
    private readonly lora: Float32Array,
    private readonly map: CoefficientMap | null,
    /** Input dimension: numel(x_t) or k. */
    readonly dim: number,
    /** Vectors per batched run (x_t space). */
    private readonly maxBatch: number,
  ) {}

  /** J = ∂h/∂x_t at one point, with the LoRA θ applied (zeros = the base model). */
  static latent(sd: StableDiffusion, point: PullbackPoint, lora: Float32Array, maxBatch = 16): MidJacobian {
    checkPoints([point]);
    if (lora.length !== sd.loraSize) throw new Error(`pullback: LoRA vector has ${lora.length} values, the UNet's layout ${sd.loraSize}`);
    return new MidJacobian(sd, [point], lora, null, numel(point.sample.shape), maxBatch);
  }

  /**
   * J = ∂h/∂c at coefficients c (all k of the space) with respect to the first `dims` of them, stacked over
   * the points (so JᵀJ sums over them).
   */
  static coefficients(sd: StableDiffusion, points: readonly PullbackPoint[], coef: ArrayLike<number>, space: Space, dims = space.k): MidJacobian {
    checkPoints(points);
    if (coef.length !== space.k) throw new Error(`pullback: ${coef.length} coefficients, the space has k = ${space.k}`);
    if (!Number.isInteger(dims) || dims < 1 || dims > space.k) throw new Error(`pullback: dims = ${dims} coefficients to differentiate by, must be in 1..${space.k} (the space's k)`);
    const map = coefficientMap(space, dims);
    const theta = map.theta(coef);
    if (theta.length !== sd.loraSize) throw new Error(`pullback: the space's θ has ${theta.length} values, the UNet's LoRA layout ${sd.loraSize}`);
    return new MidJacobian(sd, points, theta, map, map.k, 1);
  }

  /** h at every point, concatenated. */
  async h(): Promise<Float32Array> {
    const idx = this.points.map((_, i) => i);
    const out = await this.sd.pullback(this.map ? 'lora' : 'sample', [], pointFeeds(this.points, idx, this.lora));
    return out.mid.data as Float32Array;
  }

  jvp(vs: readonly ArrayLike<number>[]): Promise<Vec[]> {
    return this.apply('jvp', vs);
  }
  vjp(us: readonly ArrayLike<number>[]): Promise<Vec[]> {
    return this.apply('vjp', us);
  }
  /** The pullback metric JᵀJ applied to each vector. */
  metric(vs: readonly ArrayLike<number>[]): Promise<Vec[]> {
    return this.apply('jtj', vs);
  }

  private async apply(product: PullbackProduct, vs: readonly ArrayLike<number>[]): Promise<Vec[]> {
    const out: Vec[] = [];
    if (!this.map) {
      for (let at = 0; at < vs.length; at += this.maxBatch) out.push(...(await this.latentRun(product, vs.slice(at, at + this.maxBatch))));
    } else {
      for (const v of vs) out.push(await this.coefRun(product, v));
    }
    return out;
  }

  private async latentRun(product: PullbackProduct, vs: readonly ArrayLike<number>[]): Promise<Vec[]> {
    const feeds = pointFeeds(this.points, vs.map(() => 0), this.lora);
    const name = product === 'vjp' ? 'cotangent' : 'tangent';
    const shape = product === 'vjp' ? this.hShape() : this.points[0].sample.shape;
    feeds[name] = f32([vs.length, ...shape.slice(1)], stack(vs, numel(shape)));
    return split((await this.sd.pullback('sample', [product], feeds))[product], vs.length);
  }

  private async coefRun(product: PullbackProduct, v: ArrayLike<number>): Promise<Vec> {
    const map = this.map!;
    const feeds = pointFeeds(this.points, this.points.map((_, i) => i), this.lora);
    if (product === 'vjp') {
      const shape = this.hShape();
      feeds.cotangent = f32([this.points.length, ...shape.slice(1)], v);
    } else {
      if (v.length !== this.dim) throw new Error(`pullback: tangent has ${v.length} values, expected k = ${this.dim}`);
      feeds.tangent = f32([this.lora.length], map.tangent(v));
    }
    const r = (await this.sd.pullback('lora', [product], feeds))[product].data as Float32Array;
    return Float64Array.from(product === 'jvp' ? r : map.gradCoef(r));
  }

  /** h's shape for one point, [1, C, h', w']: the last block's width at the bottleneck resolution. */
  private hShape(): number[] {
    const ch = this.sd.unetConfig.blockOutChannels;
    const [, , h, w] = this.points[0].sample.shape;
    const f = 2 ** (ch.length - 1);
    return [1, ch[ch.length - 1], h / f, w / f];
  }
}
