// Label-free identity directions (pullback metric over the w2w coefficients) at the current identity,
// with JᵀJ summed over points of the current generation settings' trajectory, and their cosines with
// every labelled attribute direction.
import { coefficientDirections, cosineTable, IDENTITY_FRACTIONS, timestepsAt, trajectoryPoints } from '../src/engine/pullback/directions';
import { closestLabels, type LabelCosine } from '../src/engine/pullback/closest-labels';
import type { GenerateOptions } from '../src/engine/sd/pipeline';
import type { StableDiffusion } from '../src/engine/sd/stable-diffusion';
import type { Space } from '../src/engine/space/space';

export interface DirectionsRequest {
  coef: Float32Array;
  gen: Omit<GenerateOptions, 'lora' | 'lora2' | 'onStep' | 'signal' | 'noise'>;
  n: number;
  /** Timesteps of the trajectory to take points at; default IDENTITY_FRACTIONS of T (timestepsAt: 650 and 450 for SD 1.5). */
  ts?: number[];
  /** Prompts whose trajectories give the points (JᵀJ summed over them); default the generation's prompt. */
  prompts?: string[];
  seed?: number;
}

export interface IdentityDirections {
  values: number[];
  /** Unit vectors over the coefficients (length of coef). */
  vectors: Float32Array[];
  iterations: number;
  converged: boolean;
  /** Slider unit: ‖σ‖ of the training coefficients (how far a typical training identity sits from the mean). */
  unit: number;
  /** Per direction, the labelled attributes with the largest |cosine|. */
  closest: LabelCosine[][];
  /** The full table: labelled attribute names, and cosines row-major (directions × names). */
  names: string[];
  cosines: Float32Array;
  /** Timesteps of the points used. */
  timesteps: number[];
}

export async function identityDirections(
  sd: StableDiffusion, space: Space, r: DirectionsRequest, signal: AbortSignal, onIteration?: (i: number, residual: number) => void,
): Promise<IdentityDirections> {
  const ts = r.ts ?? timestepsAt(IDENTITY_FRACTIONS, sd.scheduler(1));
  const lora = await space.thetaAsync(r.coef);
  const points = [];
  for (const prompt of r.prompts?.length ? r.prompts : [r.gen.prompt])
    points.push(...(await trajectoryPoints(sd, { ...r.gen, prompt, lora, signal }, ts)).points);
  signal.throwIfAborted();
  const res = await coefficientDirections(sd, points, r.coef, space, {
    n: r.n,
    seed: r.seed ?? 0,
    onIteration: (i, residual) => {
      signal.throwIfAborted();
      onIteration?.(i, residual);
    },
  });
  const labelled = new Map(space.labelColumns.map((c) => [c, space.directionK(c).subarray(0, r.coef.length)]));
  const { names, cosines } = cosineTable(res.vectors, labelled);
  const closest = closestLabels(names, cosines);
  const std = space.data.projStd.subarray(0, Math.min(r.coef.length, space.data.pcs));
  const unit = Math.sqrt(std.reduce((a, x) => a + x * x, 0));
  return {
    unit, values: res.values, vectors: res.vectors.map((v) => Float32Array.from(v)), iterations: res.iterations, converged: res.converged,
    closest, names, cosines: Float32Array.from(cosines), timesteps: points.map((p) => p.timestep),
  };
}
