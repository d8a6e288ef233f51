// diffusers 0.21 PNDMScheduler. With skip_prk_steps (Stable Diffusion's setting) this is PLMS: a
// linear multistep method over the last four noise predictions, whose second evaluation re-runs
// the first timestep to form a second-order start. Arithmetic is float32 in PyTorch's op order.

import { checkSameLength, f32, sqrtAlphas, type Scheduler } from './scheduler';
import type { SchedulerSettings } from './settings';
import { SpacedScheduler } from './spaced';
import { spacedTimesteps } from './timesteps';

const ONE_SIXTH = f32(1 / 6);
const ONE_THIRD = f32(1 / 3);
const ONE_24TH = f32(1 / 24);

export class PndmScheduler extends SpacedScheduler implements Scheduler {
  readonly name = 'pndm' as const;
  readonly timesteps: readonly number[];
  private readonly prkTimesteps: readonly number[];
  private counter = 0;
  private ets: Float32Array[] = [];
  private curSample: Float32Array | null = null;
  private curModelOutput: Float32Array | null = null;

  constructor(settings: SchedulerSettings, numInferenceSteps: number) {
    super(settings, numInferenceSteps);
    const base = spacedTimesteps(settings, numInferenceSteps);
    if (settings.skipPrkSteps) {
      this.prkTimesteps = [];
      this.timesteps = [...base.slice(0, -1), ...base.slice(-2, -1), ...base.slice(-1)].reverse();
    } else {
      if (numInferenceSteps < 4) throw new Error('PNDM with Runge-Kutta steps needs at least 4 inference steps');
      // Four Runge-Kutta steps at the highest timesteps, each evaluated at t, t − stride/2 (twice) and t − stride.
      const half = Math.floor(this.stride / 2);
      const points = base.slice(-4).flatMap((t) => [t, t + half]);
      this.prkTimesteps = points.slice(0, -1).flatMap((t) => [t, t]).slice(1, -1).reverse();
      this.timesteps = [...this.prkTimesteps, ...base.slice(0, -3).reverse()];
    }
  }

  reset(): void {
    this.counter = 0;
    this.ets = [];
    this.curSample = null;
    this.curModelOutput = null;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'PNDM model output');
    const prk = this.counter < this.prkTimesteps.length && !this.settings.skipPrkSteps;
    const prev = prk ? this.stepPrk(modelOutput, t, sample) : this.stepPlms(modelOutput, t, sample);
    this.counter++;
    return prev;
  }

  private stepPrk(eps: Float32Array, t: number, sample: Float32Array): Float32Array {
    const phase = this.counter % 4;
    const prevT = t - (this.counter % 2 ? 0 : Math.floor(this.stride / 2));
    const cycleT = this.prkTimesteps[this.counter - phase];
    let output = eps;
    if (phase === 0) {
      this.curModelOutput = eps.map((e) => f32(ONE_SIXTH * e));
      this.ets.push(eps.slice());
      this.curSample = sample.slice();
    } else if (phase < 3) {
      const acc = this.curModelOutput!;
      for (let i = 0; i < acc.length; i++) acc[i] = f32(acc[i] + f32(ONE_THIRD * eps[i]));
    } else {
      const acc = this.curModelOutput!;
      output = acc.map((a, i) => f32(a + f32(ONE_SIXTH * eps[i])));
      this.curModelOutput = null;
    }
    return this.prevSample(this.curSample ?? sample, cycleT, prevT, output);
  }

  private stepPlms(eps: Float32Array, t: number, sample: Float32Array): Float32Array {
    let prevT = t - this.stride;
    let fromT = t;
    if (this.counter !== 1) {
      this.ets = this.ets.slice(-3);
      this.ets.push(eps.slice());
    } else {
      // The repeated timestep: step again from the first sample with the averaged prediction.
      prevT = t;
      fromT = t + this.stride;
    }
    const e = this.ets;
    const k = e.length;
    let x = sample;
    let output: Float32Array;
    if (k === 1 && this.counter === 0) {
      output = eps;
      this.curSample = sample.slice();
    } else if (k === 1 && this.counter === 1) {
      output = eps.map((v, i) => f32(f32(v + e[0][i]) / 2));
      x = this.curSample!;
      this.curSample = null;
    } else if (k === 2) {
      output = e[1].map((v, i) => f32(f32(f32(3 * v) - e[0][i]) / 2));
    } else if (k === 3) {
      output = e[2].map((v, i) => f32(f32(f32(f32(23 * v) - f32(16 * e[1][i])) + f32(5 * e[0][i])) / 12));
    } else {
      output = e[3].map((v, i) =>
        f32(ONE_24TH * f32(f32(f32(f32(55 * v) - f32(59 * e[2][i])) + f32(37 * e[1][i])) - f32(9 * e[0][i]))));
    }
    return this.prevSample(x, fromT, prevT, output);
  }

  /** PNDM paper eq. (9): x_{t−δ} from x_t and the (combined) noise prediction. */
  private prevSample(sample: Float32Array, t: number, prevT: number, modelOutput: Float32Array): Float32Array {
    const { alphaT, alphaPrev } = this.alphaPair(t, prevT, 'PNDM');
    const betaT = f32(1 - alphaT);
    const betaPrev = f32(1 - alphaPrev);
    let eps = modelOutput;
    if (this.settings.predictionType === 'v_prediction') {
      const { sqrtAlpha, sqrtBeta } = sqrtAlphas(alphaT);
      eps = modelOutput.map((v, i) => f32(f32(sqrtAlpha * v) + f32(sqrtBeta * sample[i])));
    }
    const sampleCoeff = f32(Math.sqrt(f32(alphaPrev / alphaT)));
    const denom = f32(f32(alphaT * f32(Math.sqrt(betaPrev))) + f32(Math.sqrt(f32(f32(alphaT * betaT) * alphaPrev))));
    const diff = f32(alphaPrev - alphaT);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = f32(sampleCoeff * sample[i]) - f32(f32(diff * eps[i]) / denom);
    }
    return out;
  }
}
