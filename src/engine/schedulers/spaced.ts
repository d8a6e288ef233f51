// What the DDIM and PNDM samplers share: ᾱ from the betas, the ᾱ past the last step, the stride between
// timesteps, and reading the ᾱ pair of a step, as diffusers' two schedulers each do.
import { computeAlphasCumprod } from './betas';
import type { SchedulerSettings } from './settings';

export abstract class SpacedScheduler {
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float32Array;
  /** ᾱ before t = 0: 1 with set_alpha_to_one, else ᾱ_0. */
  protected readonly finalAlphaCumprod: number;
  /** diffusers' step to the previous timestep, N // steps, whatever the spacing. */
  protected readonly stride: number;

  constructor(
    protected readonly settings: SchedulerSettings,
    readonly numInferenceSteps: number,
  ) {
    this.alphasCumprod = computeAlphasCumprod(settings);
    this.finalAlphaCumprod = settings.setAlphaToOne ? 1 : this.alphasCumprod[0];
    this.stride = Math.floor(settings.numTrainTimesteps / numInferenceSteps);
  }

  /** Both samplers take the sample as it is. */
  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** ᾱ_t and ᾱ_prevT (the final ᾱ when prevT < 0); `who` names the sampler in the error for a bad t. */
  protected alphaPair(t: number, prevT: number, who: string): { alphaT: number; alphaPrev: number } {
    const n = this.settings.numTrainTimesteps;
    if (!Number.isInteger(t) || t < 0 || t >= n) throw new Error(`${who}: timestep ${t} outside 0..${n - 1}`);
    return { alphaT: this.alphasCumprod[t], alphaPrev: prevT >= 0 ? this.alphasCumprod[prevT] : this.finalAlphaCumprod };
  }
}
