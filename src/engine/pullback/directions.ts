// Unsupervised editing directions (Park et al. 2023) along a generation: capture x_t on a seeded
// trajectory, take the top right-singular vectors of ∂h/∂x_t there (image edits: x_t + s·v, keep
// denoising), or of ∂h/∂c summed over several (t, prompt) points (label-free identity directions).
import { f32 } from '../runtime/tensor';
import { generate, type GenerateOptions } from '../sd/pipeline';
import type { StableDiffusion } from '../sd/stable-diffusion';
import type { Space } from '../space/space';
import { MidJacobian, type PullbackPoint } from './jacobian';
import { dot, norm, type Vec } from './linalg';
import { blockSize, topEigen, type SubspaceOptions, type SubspaceResult } from './subspace';

export { EDIT_FRACTION, IDENTITY_FRACTIONS, timestepsAt } from './fractions';

/** The first evaluation whose timestep is ≤ t (the trajectory passes t there). */
export function stepAt(timesteps: readonly number[], t: number): number {
  const i = timesteps.findIndex((s) => s <= t);
  if (i < 1) {
    const why = i === 0 ? `is at or above the first timestep ${timesteps[0]}` : `is below the last timestep ${timesteps[timesteps.length - 1]}`;
    throw new Error(`t = ${t} ${why}: pick t inside the trajectory (x_t is captured after at least one step)`);
  }
  return i;
}

export interface TrajectoryPoints {
  /** Per requested t: the evaluation index and its timestep. */
  steps: { step: number; timestep: number }[];
  points: PullbackPoint[];
}

/**
 * Runs `gen` once and returns x_t at the first evaluation with timestep ≤ each of `ts`, with the prompt's
 * (conditional) embedding: the inputs of J = ∂h/∂x_t along that image's trajectory. (PNDM and DDIM feed
 * x_t to the UNet unscaled, so J w.r.t. the UNet input is J w.r.t. x_t.)
 */
export async function trajectoryPoints(sd: StableDiffusion, gen: GenerateOptions, ts: readonly number[]): Promise<TrajectoryPoints> {
  const timesteps = sd.scheduler(gen.steps ?? 50, gen.scheduler).timesteps;
  const steps = ts.map((t) => {
    const step = stepAt(timesteps, t);
    return { step, timestep: timesteps[step] };
  });
  const wanted = new Set(steps.map((s) => s.step));
  const captured = new Map<number, Float32Array>();
  const last = Math.max(...wanted);
  const stop = new AbortController();
  await generate(sd, {
    ...gen,
    signal: stop.signal,
    onStep: async (s) => {
      // After evaluation s.step (1-based) the latents are the input of evaluation s.step (0-based).
      if (wanted.has(s.step)) captured.set(s.step, Float32Array.from(s.latents.data as Float32Array));
      await gen.onStep?.(s);
      if (s.step >= last) stop.abort();
    },
  }).catch((e) => {
    if (!stop.signal.aborted) throw e;
  });
  const text = await sd.encodePrompts([gen.prompt]);
  const shape = [1, sd.latentChannels, ...latentSize(sd, gen)];
  return { steps, points: steps.map((s) => ({ sample: f32(shape, captured.get(s.step)!), timestep: s.timestep, text })) };
}

const latentSize = (sd: StableDiffusion, gen: GenerateOptions) =>
  [gen.height ?? sd.defaultImageSize, gen.width ?? sd.defaultImageSize].map((d) => d / sd.vaeScaleFactor);

/** Top directions of ∂h/∂x_t at one point, LoRA θ applied. */
export function latentDirections(sd: StableDiffusion, point: PullbackPoint, lora: Float32Array, o: SubspaceOptions): Promise<SubspaceResult> {
  const dim = point.sample.data.length;
  const jac = MidJacobian.latent(sd, point, lora, blockSize(o.n, dim, o.oversample));
  return topEigen((b) => jac.metric(b), jac.dim, o);
}

/** Label-free identity directions span at most the first 1000 coefficients: w2w samples and edits there. */
export const IDENTITY_DIMS = 1000;

/**
 * Top directions of ∂h/∂c at coefficients c, JᵀJ summed over the points, with respect to the first `dims`
 * coefficients (default min(k, IDENTITY_DIMS)); the vectors have all k entries, zero beyond `dims`.
 */
export async function coefficientDirections(
  sd: StableDiffusion, points: readonly PullbackPoint[], coef: ArrayLike<number>, space: Space,
  o: SubspaceOptions & { dims?: number },
): Promise<SubspaceResult> {
  const jac = MidJacobian.coefficients(sd, points, coef, space, o.dims ?? Math.min(space.k, IDENTITY_DIMS));
  const r = await topEigen((b) => jac.metric(b), jac.dim, o);
  const full = (v: Vec) => {
    const out = new Float64Array(coef.length);
    out.set(v);
    return out;
  };
  return jac.dim === coef.length ? r : { ...r, vectors: r.vectors.map(full) };
}

/** cos(vᵢ, d_a) for every direction vᵢ (rows) and labelled direction d_a (columns, zero-padded/cut to vᵢ's length). */
export function cosineTable(vectors: readonly Vec[], labelled: ReadonlyMap<string, ArrayLike<number>>): { names: string[]; cosines: Float64Array } {
  const names = [...labelled.keys()];
  const cosines = new Float64Array(vectors.length * names.length);
  vectors.forEach((v, i) =>
    names.forEach((name, j) => {
      const d = labelled.get(name)!;
      const dk = Float64Array.from({ length: v.length }, (_, m) => (m < d.length ? d[m] : 0));
      const nd = norm(dk);
      cosines[i * names.length + j] = nd === 0 ? 0 : dot(v, dk) / (norm(v) * nd);
    }),
  );
  return { names, cosines };
}
