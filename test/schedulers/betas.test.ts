import { describe, expect, it } from 'vitest';
import { alphasCumprodFromConfig, computeBetas, createScheduler, readSchedulerSettings } from '../../src/engine/schedulers';
import { linspaceFloat32 } from '../../src/engine/schedulers/betas';
import { sdConfig } from './reference';

const f32 = Math.fround;
const settings = (config: Record<string, unknown>) => readSchedulerSettings(config, 'pndm');

describe('beta schedules', () => {
  it('scaled_linear squares a float32 linspace of sqrt(beta)', () => {
    const betas = computeBetas(settings(sdConfig));
    expect(betas).toHaveLength(1000);
    expect(betas[0]).toBe(f32(f32(Math.sqrt(0.00085)) ** 2));
    expect(betas[999]).toBe(f32(f32(Math.sqrt(0.012)) ** 2));
    for (let i = 0; i < 1000; i++) {
      const s = Math.sqrt(0.00085) + (i * (Math.sqrt(0.012) - Math.sqrt(0.00085))) / 999;
      expect(Math.abs(betas[i] - s * s) / (s * s)).toBeLessThan(3e-7);
    }
  });

  it('linear hits both ends exactly and stays within float32 rounding of the line', () => {
    const betas = linspaceFloat32(0.0001, 0.02, 1000);
    expect(betas[0]).toBe(f32(0.0001));
    expect(betas[999]).toBe(f32(0.02));
    for (let i = 0; i < 1000; i++) expect(Math.abs(betas[i] - (0.0001 + (i * 0.0199) / 999))).toBeLessThan(4e-9);
    expect(computeBetas(settings({ beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02 }))).toEqual(betas);
  });

  it('squaredcos_cap_v2 telescopes to the cosine alpha-bar', () => {
    const alphas = alphasCumprodFromConfig({ beta_schedule: 'squaredcos_cap_v2' });
    const alphaBar = (t: number) => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
    for (const t of [0, 10, 100, 500, 900, 980]) {
      const expected = alphaBar((t + 1) / 1000) / alphaBar(0);
      expect(Math.abs(alphas[t] - expected) / expected).toBeLessThan(1e-5);
    }
    // The last beta is capped at 0.999.
    expect(computeBetas(settings({ beta_schedule: 'squaredcos_cap_v2' }))[999]).toBe(f32(0.999));
  });

  it('takes trained_betas as given', () => {
    const trained = Array.from({ length: 10 }, (_, i) => 0.01 * (i + 1));
    expect(Array.from(computeBetas(settings({ num_train_timesteps: 10, trained_betas: trained })))).toEqual(trained.map(f32));
    expect(() => computeBetas(settings({ trained_betas: [0.1, 0.2] }))).toThrow(/trained_betas/);
  });
});

describe('alphas_cumprod of Stable Diffusion 1.5', () => {
  const alphas = createScheduler(sdConfig, 50).alphasCumprod;

  it('matches the known end values', () => {
    expect(alphas[0]).toBe(f32(1 - f32(f32(Math.sqrt(0.00085)) ** 2)));
    expect(alphas[0]).toBeCloseTo(0.99915, 7);
    // The float64 product is 0.00466010; float32 betas move it by under 1e-6 relative.
    expect(Math.abs(alphas[999] - 0.0046601) / 0.0046601).toBeLessThan(2e-6);
  });

  it('agrees with a float64 computation everywhere to float32 accuracy', () => {
    let product = 1;
    for (let t = 0; t < 1000; t++) {
      const s = Math.sqrt(0.00085) + (t * (Math.sqrt(0.012) - Math.sqrt(0.00085))) / 999;
      product *= 1 - s * s;
      expect(Math.abs(alphas[t] - product) / product).toBeLessThan(2e-6);
    }
  });

  it('is the same schedule whichever sampler reads the config', () => {
    expect(createScheduler(sdConfig, 6, 'ddim').alphasCumprod).toEqual(alphas);
    expect(alphasCumprodFromConfig(sdConfig)).toEqual(alphas);
  });
});
