// Image edits along a generated trajectory: capture x_t at t ≈ 0.65 T, find directions there, move x_t by
// s·v at that step and finish denoising; and the clear errors of bad inputs.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openModel } from '../../src/cli/node-model';
import { latentDirections, stepAt, trajectoryPoints } from '../../src/engine/pullback/directions';
import { MidJacobian } from '../../src/engine/pullback/jacobian';
import { topEigen } from '../../src/engine/pullback/subspace';
import { f32 } from '../../src/engine/runtime/tensor';
import { generate, type GenerateOptions } from '../../src/engine/sd/pipeline';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath } from '../helpers/fixture';

let sd: StableDiffusion;
beforeAll(async () => {
  sd = await openModel(fixturePath());
});
afterAll(() => sd?.release());

const gen = (): GenerateOptions => ({ prompt: 'sks person', seed: 3, steps: 10, guidance: 3, width: 64, height: 64, lora: null });

it('edits x_t at the step where the trajectory passes t and keeps denoising from there', async () => {
  const base = await generate(sd, gen());
  const { steps, points } = await trajectoryPoints(sd, gen(), [650]);
  const [{ step, timestep }] = steps;
  expect(timestep).toBe(base.timesteps[step]);
  expect(timestep).toBeLessThanOrEqual(650);
  expect(base.timesteps[step - 1]).toBeGreaterThan(650);

  const r = await latentDirections(sd, points[0], new Float32Array(sd.loraSize), { n: 2, seed: 0 });
  expect(r.converged).toBe(true);
  const run = async (s: number) => {
    const seen: Float32Array[] = [];
    const out = await generate(sd, {
      ...gen(),
      latentEdit: { step, delta: Float32Array.from(r.vectors[0], (x) => s * x) },
      onStep: (i) => void seen.push(Float32Array.from(i.latents.data as Float32Array)),
    });
    return { out, seen };
  };
  // The captured x_t is the input of that evaluation: what the unedited run holds after `step` evaluations.
  const zero = await run(0);
  expect(zero.out.latents.data).toEqual(base.latents.data);
  expect(zero.seen[step - 1]).toEqual(points[0].sample.data);
  const edited = await run(3);
  expect(edited.seen[step - 1]).toEqual(points[0].sample.data);
  const diff = (edited.out.image.data as Float32Array).reduce((m, x, i) => Math.max(m, Math.abs(x - (base.image.data as Float32Array)[i])), 0);
  expect(diff).toBeGreaterThan(1e-3);
});

it('rejects bad inputs with specific errors', async () => {
  expect(() => stepAt([981, 961, 961, 941], 990)).toThrow(/t = 990 is at or above the first timestep 981/);
  expect(() => stepAt([981, 961, 941], 10)).toThrow(/t = 10 is below the last timestep 941/);
  await expect(generate(sd, { ...gen(), latentEdit: { step: 99, delta: new Float32Array(256) } })).rejects.toThrow(/latent edit: step 99 must be in 0\.\.10/);
  await expect(generate(sd, { ...gen(), latentEdit: { step: 2, delta: new Float32Array(5) } })).rejects.toThrow(/has 5/);
  const point = { sample: f32([1, 4, 8, 8]), timestep: 500, text: f32([1, 77, 32]) };
  expect(() => MidJacobian.latent(sd, point, new Float32Array(3))).toThrow(/LoRA vector has 3 values, the UNet's layout 6560/);
  expect(() => MidJacobian.latent(sd, { ...point, sample: f32([4, 8, 8]) }, new Float32Array(sd.loraSize))).toThrow(/x_t 0 has shape \[4,8,8\]/);
  const jac = MidJacobian.latent(sd, point, new Float32Array(sd.loraSize));
  await expect(topEigen((b) => jac.metric(b), jac.dim, { n: 0 })).rejects.toThrow(/n must be an integer in 1\.\.256/);
  await expect(jac.jvp([new Float64Array(7)])).rejects.toThrow(/vector 0 has 7 values, expected 256/);
});
