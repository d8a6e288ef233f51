// diffusers 0.21 DDIMScheduler with eta = 0 (deterministic): predict x0, then move it to the previous
// timestep along the predicted noise. Arithmetic is float32 in PyTorch's op order.

import { checkSameLength, f32, sqrtAlphas, type Scheduler } from './scheduler';
import type { SchedulerSettings } from './settings';
import { SpacedScheduler } from './spaced';
import { spacedTimesteps } from './timesteps';

export class DdimScheduler extends SpacedScheduler implements Scheduler {
  readonly name = 'ddim' as const;
  readonly timesteps: readonly number[];

  constructor(settings: SchedulerSettings, numInferenceSteps: number) {
    super(settings, numInferenceSteps);
    this.timesteps = spacedTimesteps(settings, numInferenceSteps).reverse();
  }

  /** DDIM with eta = 0 keeps no state between steps. */
  reset(): void {}

  step(modelOutput: Float32Array, t: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'DDIM model output');
    const { alphaT, alphaPrev } = this.alphaPair(t, t - this.stride, 'DDIM');
    const { sqrtAlpha, sqrtBeta } = sqrtAlphas(alphaT);
    const sqrtAlphaPrev = f32(Math.sqrt(alphaPrev));
    // √(1 − ᾱ_prev − σ²) with σ = 0 for eta = 0.
    const directionCoeff = f32(Math.sqrt(f32(1 - alphaPrev)));
    const { clipSample } = this.settings;
    const range = f32(this.settings.clipSampleRange);
    const vPrediction = this.settings.predictionType === 'v_prediction';
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const x = sample[i];
      const m = modelOutput[i];
      let x0 = vPrediction ? f32(f32(sqrtAlpha * x) - f32(sqrtBeta * m)) : f32(f32(x - f32(sqrtBeta * m)) / sqrtAlpha);
      const eps = vPrediction ? f32(f32(sqrtAlpha * m) + f32(sqrtBeta * x)) : m;
      if (clipSample) x0 = Math.min(Math.max(x0, -range), range);
      out[i] = f32(sqrtAlphaPrev * x0) + f32(directionCoeff * eps);
    }
    return out;
  }
}
