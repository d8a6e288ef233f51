// Autodiff through the whole tiny UNet (tiny-sd-a fixture): the masked-loss gradient w.r.t. the LoRA
// vector against central differences of the loss, at space.theta, where the UNet is well conditioned
// in float32 (at lora.flat it is not: see test/models/unet.test.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openModel } from '../../src/cli/node-model';
import type { HostTensor } from '../../src/engine/runtime/tensor';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture, tensor } from '../helpers/fixture';
import { uniform } from './fd';

let sd: StableDiffusion;
let feeds: HostTensor[];
let theta: Float32Array;

beforeAll(async () => {
  const ref = await openFixture('reference.safetensors');
  sd = await openModel(fixturePath());
  feeds = await Promise.all(
    ['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states', 'lora.target', 'lora.mask'].map((k) => tensor(ref, k)),
  );
  theta = await ref.readFloat32('space.theta');
});
afterAll(() => sd?.release());

const lossGrad = (lora: Float32Array) => {
  const [x, t, text, target, mask] = feeds;
  return sd.unetLossGrad(x, t, text, target, mask, lora);
};

it('matches central differences of the loss along the gradient and random directions', async () => {
  const { grad } = await lossGrad(theta);
  const norm = Math.hypot(...grad);
  const unit = (v: number[]) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  // Along the gradient the loss curves strongly (truncation error ∝ h²); across it the derivative is small,
  // so a larger step keeps float32 rounding of the loss below the signal.
  const directions: [number[], number][] = [
    [unit(Array.from(grad)), 1e-4],
    [unit(uniform(grad.length, 1)), 1e-3],
    [unit(uniform(grad.length, 2)), 1e-3],
  ];
  for (const [u, h] of directions) {
    const up = (await lossGrad(theta.map((v, i) => v + h * u[i]))).loss;
    const down = (await lossGrad(theta.map((v, i) => v - h * u[i]))).loss;
    const analytic = u.reduce((s, ui, i) => s + ui * grad[i], 0);
    expect(Math.abs((up - down) / (2 * h) - analytic) / norm).toBeLessThan(1e-3);
  }
});
