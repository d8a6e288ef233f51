// Beta schedules and ᾱ_t = Π(1 − β) exactly as diffusers computes them with PyTorch on the CPU, so
// the float32 values agree bit for bit: betas are float32 tensors, and torch.cumprod accumulates
// float32 inputs in double on the CPU, rounding each output to float32.

import type { SchedulerSettings } from './settings';

const f32 = Math.fround;

/** torch.linspace(start, end, steps, dtype=float32) on the CPU: float32 arithmetic, filled from both ends. */
export function linspaceFloat32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) out[0] = start;
  if (steps < 2) return out;
  const s = f32(start);
  const e = f32(end);
  const step = f32(f32(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? f32(s + f32(step * i)) : f32(e - f32(step * (steps - i - 1)));
  }
  return out;
}

/** Glide's cosine schedule (diffusers betas_for_alpha_bar), computed in double and stored as float32. */
function cosineBetas(n: number, maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number) => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta);
  return out;
}

export function computeBetas(settings: SchedulerSettings): Float32Array {
  const { numTrainTimesteps: n, betaStart, betaEnd } = settings;
  if (settings.trainedBetas) return Float32Array.from(settings.trainedBetas);
  switch (settings.betaSchedule) {
    case 'linear':
      return linspaceFloat32(betaStart, betaEnd, n);
    case 'scaled_linear':
      // Latent diffusion's schedule: linear in sqrt(β), squared in float32.
      return linspaceFloat32(Math.sqrt(betaStart), Math.sqrt(betaEnd), n).map((b) => f32(b * b));
    case 'squaredcos_cap_v2':
      return cosineBetas(n);
  }
}

/** ᾱ_t for t = 0..N−1 from float32 betas. */
export function alphasCumprodFromBetas(betas: Float32Array): Float32Array {
  const out = new Float32Array(betas.length);
  let product = 1;
  for (let i = 0; i < betas.length; i++) {
    product *= f32(1 - betas[i]);
    out[i] = product;
  }
  return out;
}

export function computeAlphasCumprod(settings: SchedulerSettings): Float32Array {
  return alphasCumprodFromBetas(computeBetas(settings));
}
