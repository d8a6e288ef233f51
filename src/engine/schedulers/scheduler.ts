// The interface the sampling pipeline drives, and float32 helpers shared by the schedulers.

import type { SchedulerName } from './settings';

/**
 * A stateful sampler for one generation run. Call `step` once per UNet evaluation, in the order of
 * `timesteps`, with the (guided) noise prediction; `reset()` starts a new run with the same timesteps.
 * Arrays are flat float32 latents of any shape; inputs are never modified.
 */
export interface Scheduler {
  readonly name: SchedulerName;
  /** One entry per UNet evaluation (PNDM repeats one timestep: 50 steps = 51 evaluations). */
  readonly timesteps: readonly number[];
  readonly numInferenceSteps: number;
  readonly initNoiseSigma: number;
  /** ᾱ_t for t = 0..N−1, float32 as diffusers holds them. */
  readonly alphasCumprod: Float32Array;
  /** The UNet input for `sample` at t (identity for PNDM and DDIM; returns the same array). */
  scaleModelInput(sample: Float32Array, t: number): Float32Array;
  /** x_{t−Δ} from the model output at t and the current sample x_t. */
  step(modelOutput: Float32Array, t: number, sample: Float32Array): Float32Array;
  reset(): void;
}

export const f32 = Math.fround;

/** Float32 scalars of diffusers' _get_prev_sample/step: √ᾱ and √(1−ᾱ), as torch computes them on 0-d tensors. */
export function sqrtAlphas(alphaProd: number): { sqrtAlpha: number; sqrtBeta: number } {
  return { sqrtAlpha: f32(Math.sqrt(alphaProd)), sqrtBeta: f32(Math.sqrt(f32(1 - alphaProd))) };
}

export function checkSameLength(a: Float32Array, b: Float32Array, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length} does not match sample length ${b.length}`);
}
