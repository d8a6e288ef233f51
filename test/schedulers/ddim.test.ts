import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/engine/schedulers';
import { ddimUpdate, randomArray, relErr, sdConfig } from './reference';

const SIZE = 4 * 8 * 8;
const sample = randomArray(SIZE, 7);
const eps = randomArray(SIZE, 8);
const TOL = 1e-5;

describe('DDIM (eta 0) built from the SD config', () => {
  const s = createScheduler(sdConfig, 6, 'ddim');
  const a = s.alphasCumprod;

  it('steps along the predicted x0 to the previous timestep', () => {
    expect(s.name).toBe('ddim');
    expect(relErr(s.step(eps, 831, sample), ddimUpdate(sample, eps, a[831], a[665]))).toBeLessThan(TOL);
    expect(relErr(s.step(eps, 167, sample), ddimUpdate(sample, eps, a[167], a[1]))).toBeLessThan(TOL);
  });

  it('ends at alphas_cumprod[0], or returns the predicted x0 with set_alpha_to_one', () => {
    expect(relErr(s.step(eps, 1, sample), ddimUpdate(sample, eps, a[1], a[0]))).toBeLessThan(TOL);
    const toOne = createScheduler({ ...sdConfig, set_alpha_to_one: true }, 6, 'ddim');
    const x0 = Float64Array.from(sample, (x, i) => (x - Math.sqrt(1 - a[1]) * eps[i]) / Math.sqrt(a[1]));
    expect(relErr(toOne.step(eps, 1, sample), x0)).toBeLessThan(TOL);
  });

  it('does not clip x0 unless the config asks for it', () => {
    const big = sample.map((x) => 20 * x);
    const t = 665;
    const prev = 499;
    expect(relErr(s.step(eps, t, big), ddimUpdate(big, eps, a[t], a[prev]))).toBeLessThan(TOL);
    const clipped = createScheduler({ ...sdConfig, clip_sample: true }, 6, 'ddim').step(eps, t, big);
    const expected = Float64Array.from(big, (x, i) => {
      const x0 = Math.min(1, Math.max(-1, (x - Math.sqrt(1 - a[t]) * eps[i]) / Math.sqrt(a[t])));
      return Math.sqrt(a[prev]) * x0 + Math.sqrt(1 - a[prev]) * eps[i];
    });
    expect(relErr(clipped, expected)).toBeLessThan(TOL);
  });

  it('supports v-prediction', () => {
    const v = createScheduler({ ...sdConfig, prediction_type: 'v_prediction' }, 6, 'ddim');
    const t = 499;
    const prev = 333;
    const expected = Float64Array.from(sample, (x, i) => {
      const x0 = Math.sqrt(a[t]) * x - Math.sqrt(1 - a[t]) * eps[i];
      const e = Math.sqrt(a[t]) * eps[i] + Math.sqrt(1 - a[t]) * x;
      return Math.sqrt(a[prev]) * x0 + Math.sqrt(1 - a[prev]) * e;
    });
    expect(relErr(v.step(eps, t, sample), expected)).toBeLessThan(TOL);
  });

  it('keeps no state, leaves its inputs alone and rejects bad timesteps', () => {
    const before = sample.slice();
    const once = s.step(eps, 499, sample);
    s.reset();
    expect(s.step(eps, 499, sample)).toEqual(once);
    expect(sample).toEqual(before);
    expect(() => s.step(eps, 1000, sample)).toThrow(/timestep/);
    expect(() => createScheduler({ ...sdConfig, thresholding: true }, 6, 'ddim')).toThrow(/thresholding/);
  });
});
