import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/engine/schedulers';
import { combine, ddimUpdate, randomArray, relErr, sdConfig } from './reference';

const SIZE = 4 * 8 * 8;
const eps = Array.from({ length: 60 }, (_, k) => randomArray(SIZE, 100 + k));
const start = randomArray(SIZE, 1);
const TOL = 1e-5;

describe('PNDM with skip_prk_steps (PLMS), as the SD pipeline runs it', () => {
  it('uses the multistep weights 1, (e0+e1)/2, (3,-1)/2, (23,-16,5)/12, then (55,-59,37,-9)/24', () => {
    const s = createScheduler(sdConfig, 50);
    const a = s.alphasCumprod;
    const [e0, e1, e2, e3, e4, e5] = eps;
    // Evaluation 0 at t=981: a plain first-order step to 961.
    const x1 = s.step(e0, 981, start);
    expect(relErr(x1, ddimUpdate(start, e0, a[981], a[961]))).toBeLessThan(TOL);
    // Evaluation 1 repeats t=961 but steps again from the first sample with the averaged prediction.
    const x2 = s.step(e1, 961, x1);
    expect(relErr(x2, ddimUpdate(start, combine([0.5, 0.5], [e0, e1]), a[981], a[961]))).toBeLessThan(TOL);
    // From here the history is e0, e2, e3, ... (the repeat's prediction is not kept).
    const x3 = s.step(e2, 961, x2);
    expect(relErr(x3, ddimUpdate(x2, combine([3 / 2, -1 / 2], [e2, e0]), a[961], a[941]))).toBeLessThan(TOL);
    const x4 = s.step(e3, 941, x3);
    expect(relErr(x4, ddimUpdate(x3, combine([23 / 12, -16 / 12, 5 / 12], [e3, e2, e0]), a[941], a[921]))).toBeLessThan(TOL);
    const w = [55 / 24, -59 / 24, 37 / 24, -9 / 24];
    const x5 = s.step(e4, 921, x4);
    expect(relErr(x5, ddimUpdate(x4, combine(w, [e4, e3, e2, e0]), a[921], a[901]))).toBeLessThan(TOL);
    const x6 = s.step(e5, 901, x5);
    expect(relErr(x6, ddimUpdate(x5, combine(w, [e5, e4, e3, e2]), a[901], a[881]))).toBeLessThan(TOL);
  });

  it('ends at t=1 stepping to alphas_cumprod[0], or to 1 with set_alpha_to_one', () => {
    for (const setAlphaToOne of [false, true]) {
      const s = createScheduler({ ...sdConfig, set_alpha_to_one: setAlphaToOne }, 50);
      const outputs = s.timesteps.map((_, k) => eps[k]);
      let x = start;
      let last = start;
      s.timesteps.forEach((t, k) => {
        last = x;
        x = s.step(outputs[k], t, x);
      });
      const n = outputs.length;
      const combined = combine([55 / 24, -59 / 24, 37 / 24, -9 / 24], [outputs[n - 1], outputs[n - 2], outputs[n - 3], outputs[n - 4]]);
      const finalAlpha = setAlphaToOne ? 1 : s.alphasCumprod[0];
      expect(relErr(x, ddimUpdate(last, combined, s.alphasCumprod[1], finalAlpha))).toBeLessThan(TOL);
    }
  });

  it('is reset for a new run and never modifies its inputs', () => {
    const s = createScheduler(sdConfig, 6);
    const run = () => {
      let x = start;
      s.timesteps.forEach((t, k) => (x = s.step(eps[k], t, x)));
      return x;
    };
    const before = eps[0].slice();
    const first = run();
    s.reset();
    expect(run()).toEqual(first);
    expect(eps[0]).toEqual(before);
    expect(s.scaleModelInput(start, 831)).toBe(start);
    expect(s.initNoiseSigma).toBe(1);
  });

  it('converts v-prediction to noise before stepping', () => {
    const s = createScheduler({ ...sdConfig, prediction_type: 'v_prediction' }, 50);
    const a = s.alphasCumprod[981];
    const asEps = combine([Math.sqrt(a), Math.sqrt(1 - a)], [eps[0], start]);
    expect(relErr(s.step(eps[0], 981, start), ddimUpdate(start, asEps, a, s.alphasCumprod[961]))).toBeLessThan(TOL);
  });

  it('rejects mismatched arrays', () => {
    expect(() => createScheduler(sdConfig, 6).step(eps[0].subarray(1), 831, start)).toThrow(/length/);
  });
});

describe('PNDM with Runge-Kutta warm-up (skip_prk_steps false)', () => {
  it('takes a fourth-order Runge-Kutta step from each cycle start, then PLMS over the kept predictions', () => {
    const s = createScheduler({ ...sdConfig, skip_prk_steps: false }, 50);
    const a = s.alphasCumprod;
    const outs: Float32Array[] = [];
    let x = start;
    for (let k = 0; k < 13; k++) {
      x = s.step(eps[k], s.timesteps[k], x);
      outs.push(x);
    }
    const [e0, e1, e2, e3] = eps;
    expect(relErr(outs[0], ddimUpdate(start, e0, a[981], a[971]))).toBeLessThan(TOL);
    expect(relErr(outs[1], ddimUpdate(start, e1, a[981], a[971]))).toBeLessThan(TOL);
    expect(relErr(outs[2], ddimUpdate(start, e2, a[981], a[961]))).toBeLessThan(TOL);
    const rk = combine([1 / 6, 1 / 3, 1 / 3, 1 / 6], [e0, e1, e2, e3]);
    expect(relErr(outs[3], ddimUpdate(start, rk, a[981], a[961]))).toBeLessThan(TOL);
    expect(relErr(outs[4], ddimUpdate(outs[3], eps[4], a[961], a[951]))).toBeLessThan(TOL);
    // Evaluation 12 at t=921 is PLMS over the first prediction of each Runge-Kutta cycle.
    const plms = combine([55 / 24, -59 / 24, 37 / 24, -9 / 24], [eps[12], eps[8], eps[4], eps[0]]);
    expect(relErr(outs[12], ddimUpdate(outs[11], plms, a[921], a[901]))).toBeLessThan(TOL);
  });
});
