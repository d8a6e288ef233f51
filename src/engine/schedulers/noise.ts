// The forward diffusion q(x_t | x0) used by inversion: x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε, float32 as
// diffusers' add_noise.

import { f32, sqrtAlphas } from './scheduler';

/**
 * Noised latents. `t` is one timestep for the whole array, or one per batch item, in which case
 * x0 and eps hold t.length equally sized items back to back.
 */
export function addNoise(
  x0: Float32Array,
  eps: Float32Array,
  t: number | ArrayLike<number>,
  alphasCumprod: Float32Array,
): Float32Array {
  if (x0.length !== eps.length) throw new Error(`addNoise: x0 has ${x0.length} values, eps ${eps.length}`);
  const steps = typeof t === 'number' ? [t] : Array.from(t);
  if (steps.length === 0 || x0.length % steps.length !== 0) {
    throw new Error(`addNoise: ${x0.length} values do not split into ${steps.length} batch items`);
  }
  const itemSize = x0.length / steps.length;
  const out = new Float32Array(x0.length);
  steps.forEach((step, item) => {
    if (!Number.isInteger(step) || step < 0 || step >= alphasCumprod.length) {
      throw new Error(`addNoise: timestep ${step} outside 0..${alphasCumprod.length - 1}`);
    }
    const { sqrtAlpha, sqrtBeta } = sqrtAlphas(alphasCumprod[step]);
    for (let i = item * itemSize; i < (item + 1) * itemSize; i++) {
      out[i] = f32(sqrtAlpha * x0[i]) + f32(sqrtBeta * eps[i]);
    }
  });
  return out;
}
