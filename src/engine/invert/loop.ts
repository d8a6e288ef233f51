// The inversion loop (reference: w2w `invert`): optimize the first k coefficients c of the w2w space so
// the identity LoRA θ(c) denoises the photo well under the head mask. Per step: a fresh VAE posterior
// sample of the cached mean/logvar, t ~ U{0..T−1}, ε ~ N(0, I), x_t by the scheduler's forward process,
// loss = mean((mask·ε̂ − mask·ε)²) and ∂L/∂c (through θ(c) in the gradient graph when the space's products
// run on the model's runtime, else ∂L/∂θ from the gradient session and ∂L/∂c by the space), one Adam step.
// Seeded; the state after any step resumes bit-for-bit (same runtime).
import { i64, f32, type HostTensor } from '../runtime/tensor';
import { addNoise, alphasCumprodFromConfig } from '../schedulers/index';
import { Rng } from '../sd/random';
import type { StableDiffusion } from '../sd/stable-diffusion';
import type { GraphBasis } from '../space/basis-graph';
import { adamInit, adamStep } from './adam';
import type { LatentMask } from './mask';
import type { InversionSettings } from './settings';
import { cloneState, fingerprint, type InversionState } from './state';

/** What the loop needs from a w2w space (the Space class satisfies it). */
export interface InversionSpace {
  /** Principal components loaded. */
  readonly k: number;
  /** The flat LoRA vector θ = (c @ V[:, :n]ᵀ) ⊙ std + mean, n = c.length ≤ k (async: it may run on the GPU). */
  thetaAsync(c: Float32Array): Promise<Float32Array>;
  /** ∂L/∂c for all k components: ((∂L/∂θ) ⊙ std) @ V[:, :k]. */
  gradCoefAsync(gradTheta: Float32Array): Promise<Float32Array>;
  /**
   * The first n components as a graph computes θ from them (space/basis-graph.ts), when the space's products
   * run on the model's runtime: then each step is one session run, θ and ∂L/∂θ never leave it.
   */
  graphBasis?(n: number): GraphBasis | undefined;
}

/** The space without its graph basis: each step runs θ, ∂L/∂θ and ∂L/∂c as separate products (the reference the in-graph step is checked against). */
export const separateProducts = (space: InversionSpace): InversionSpace => ({
  k: space.k,
  thetaAsync: (c) => space.thetaAsync(c),
  gradCoefAsync: (g) => space.gradCoefAsync(g),
});

export interface InversionInputs {
  /** [1, 3, S, S] in [−1, 1] (preparePhoto). */
  image: HostTensor;
  /** Binary, at S / VAE factor (prepareMask). */
  mask: LatentMask;
}

export interface StepInfo {
  step: number;
  total: number;
  loss: number;
  /** Average milliseconds per step in this run (the first step alone: it includes building the sessions). */
  msPerStep: number;
  /** The remaining steps at that pace; none after a run's first step, whose time is mostly session building. */
  etaMs?: number;
}

export interface InvertOptions {
  /** Continue from a checkpoint (its settings must match). */
  resume?: InversionState;
  onStep?: (info: StepInfo) => void;
  /** Called with a copy of the state every `checkpointEvery` steps and after the last one. */
  checkpointEvery?: number;
  onCheckpoint?: (state: InversionState) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Thrown when the signal aborts; `state` is where the run stopped (resumable). */
export class InversionCancelled extends Error {
  constructor(readonly state: InversionState) {
    super(`inversion cancelled after step ${state.adam.step}`);
    this.name = 'InversionCancelled';
  }
}

function startState(settings: InversionSettings, inputs: string, resume?: InversionState): InversionState {
  if (!resume) {
    const k = settings.components;
    return { settings, inputs, coef: new Float32Array(k), adam: adamInit(k), rng: new Rng(settings.seed).state(), losses: [] };
  }
  const same = (Object.keys(settings) as (keyof InversionSettings)[]).every((key) => key === 'steps' || settings[key] === resume.settings[key]);
  if (!same) throw new Error('inversion: the checkpoint was made with other settings; start a new run');
  if (resume.inputs !== inputs) throw new Error('inversion: the checkpoint was made for another photo or mask; start a new run');
  return cloneState({ ...resume, settings });
}

export async function invert(
  sd: StableDiffusion,
  space: InversionSpace,
  inputs: InversionInputs,
  settings: InversionSettings,
  opts: InvertOptions = {},
): Promise<InversionState> {
  const [, , height, width] = inputs.image.shape;
  const f = sd.vaeScaleFactor;
  if (height % sd.sizeMultiple || width % sd.sizeMultiple)
    throw new Error(`inversion: image ${width}×${height} must have sides that are multiples of ${sd.sizeMultiple}`);
  const { mask } = inputs;
  if (mask.width * f !== width || mask.height * f !== height)
    throw new Error(`inversion: mask ${mask.width}×${mask.height} does not match the ${width / f}×${height / f} latents of a ${width}×${height} image`);
  if (settings.components > space.k)
    throw new Error(`inversion: ${settings.components} components asked, the space holds ${space.k}`);
  const state = startState(settings, fingerprint(inputs.image.data as Float32Array, mask.data), opts.resume);
  if (state.adam.step >= settings.steps) return state;

  const text = await sd.encodePrompts([settings.prompt]);
  const post = await sd.encodeImage(inputs.image);
  const mean = post.mean.data as Float32Array;
  const std = (post.logvar.data as Float32Array).map((lv) => Math.exp(0.5 * lv));
  const scaling = Math.fround(sd.scalingFactor);
  const alphas = alphasCumprodFromConfig(sd.schedulerConfig);
  const shape = post.mean.shape;
  const maskT = f32([1, 1, mask.height, mask.width], mask.data);
  const rng = Rng.fromState(state.rng);
  const basis = space.graphBasis?.(settings.components);
  /** The loss and ∂L/∂c at c: in one graph when the space has one, else θ(c), the UNet's ∂L/∂θ, then ∂L/∂c. */
  const lossGrad = async (xt: HostTensor, t: HostTensor, eps: HostTensor, c: Float32Array) => {
    if (basis) {
      const { loss, grad } = await sd.coefLossGrad(xt, t, text, eps, maskT, basis, c);
      return { loss, gradCoef: grad };
    }
    const { loss, grad } = await sd.unetLossGrad(xt, t, text, eps, maskT, await space.thetaAsync(c));
    return { loss, gradCoef: (await space.gradCoefAsync(grad)).subarray(0, c.length) };
  };
  const first = state.adam.step;
  // Timing from the end of this run's first step, which also pays for building the gradient session.
  let started = Date.now();

  while (state.adam.step < settings.steps) {
    if (opts.signal?.aborted) throw new InversionCancelled(cloneState({ ...state, rng: rng.state() }));
    // Draw order: posterior sample, noise, timestep (the reference's order).
    const n = rng.normals(mean.length);
    const x0 = mean.map((m, i) => Math.fround(Math.fround(m + Math.fround(std[i] * n[i])) * scaling));
    const eps = rng.normals(mean.length);
    const t = rng.int(0, alphas.length - 1);
    const xt = addNoise(x0, eps, t, alphas);
    const { loss, gradCoef } = await lossGrad(f32(shape, xt), i64([1], [t]), f32(shape, eps), state.coef);
    if (!Number.isFinite(loss)) throw new Error(`inversion: loss became ${loss} at step ${state.adam.step + 1} (t = ${t})`);
    adamStep(state.coef, gradCoef, state.adam, settings);
    state.losses.push(loss);
    state.rng = rng.state();
    const step = state.adam.step;
    const msPerStep = step - first === 1 ? Date.now() - started : (Date.now() - started) / (step - first - 1);
    if (step - first === 1) started = Date.now();
    opts.onStep?.({ step, total: settings.steps, loss, msPerStep, etaMs: step - first === 1 ? undefined : msPerStep * (settings.steps - step) });
    if (opts.onCheckpoint && ((opts.checkpointEvery && step % opts.checkpointEvery === 0) || step === settings.steps))
      await opts.onCheckpoint(cloneState(state));
  }
  return state;
}
