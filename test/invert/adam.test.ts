// Adam against torch.optim.Adam's documented algorithm (L2 weight decay into the gradient, bias
// correction), computed by hand here in double precision, and a few first steps worked out on paper.
import { describe, expect, it } from 'vitest';
import { adamInit, adamStep, type AdamOptions } from '../../src/engine/invert/adam';
import { PRESETS, resolveSettings } from '../../src/engine/invert/settings';

const TORCH_DEFAULTS: AdamOptions = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-10 };

/** torch.optim.Adam (amsgrad off, maximize off), in float64. */
function torchAdam(p0: number[], grads: number[][], o: AdamOptions): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + o.weightDecay * p[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - o.beta2 ** t) + o.eps;
      p[i] -= (o.lr / (1 - o.beta1 ** t)) * m[i] / denom;
    }
  });
  return p;
}

function ours(p0: number[], grads: number[][], o: AdamOptions): Float32Array {
  const p = Float32Array.from(p0);
  const st = adamInit(p.length);
  for (const g of grads) adamStep(p, Float32Array.from(g), st, o);
  expect(st.step).toBe(grads.length);
  return p;
}

describe('Adam as torch.optim.Adam', () => {
  it('first step by hand: each coordinate moves by lr·g/(|g| + eps)', () => {
    const p = ours([0.5, -1.25, 2], [[0.1, -0.2, 0]], { ...TORCH_DEFAULTS, weightDecay: 0 });
    expect(p[0]).toBe(Math.fround(0.5 - (0.1 * 0.1) / (0.1 + 1e-8)));
    expect(p[1]).toBe(Math.fround(-1.25 + (0.1 * 0.2) / (0.2 + 1e-8)));
    expect(p[2]).toBe(2); // zero gradient, no decay: m = 0, no move
  });

  it('weight decay is L2 in the gradient (Adam normalizes it), not AdamW', () => {
    // g = 0, p = 3, wd = 1e-10: torch's g' = 3e-10 → step lr·3e-10/(3e-10 + 1e-8) ≈ 0.00291; AdamW would move 3e-11.
    const p = ours([3], [[0]], TORCH_DEFAULTS);
    expect(p[0]).toBeCloseTo(3 - (0.1 * 3e-10) / (3e-10 + 1e-8), 6);
    expect(3 - p[0]).toBeGreaterThan(0.0029);
  });

  it('several steps match torch\'s algorithm (float64 hand computation) to float32 precision', () => {
    const p0 = [0.5, -1.2, 0, 3, 1e-3];
    const grads = [
      [0.1, -0.2, 0.05, 0, 2],
      [0.3, 0.1, -0.05, 1e-6, -1],
      [-0.2, 0.15, 0.2, -3, 0.5],
      [0.01, -0.02, 0.03, 0.04, -0.05],
    ];
    for (const o of [TORCH_DEFAULTS, { ...TORCH_DEFAULTS, lr: 1, weightDecay: 0 }, { ...TORCH_DEFAULTS, beta1: 0.5, beta2: 0.9, weightDecay: 0.1 }]) {
      const want = torchAdam(p0, grads, o);
      const got = ours(p0, grads, o);
      want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThan(1e-6 * Math.max(1, Math.abs(w))));
    }
  });

  it('refuses mismatched lengths', () => {
    expect(() => adamStep(new Float32Array(3), new Float32Array(2), adamInit(3), TORCH_DEFAULTS)).toThrow(/parameter has 3 values, gradient 2/);
  });
});

describe('presets', () => {
  it('photo and painting are the reference\'s values', () => {
    expect(PRESETS.photo).toEqual({ ...TORCH_DEFAULTS, components: 10000, steps: 400 });
    expect(PRESETS.painting).toEqual({ ...TORCH_DEFAULTS, components: 1000, steps: 800, lr: 1, weightDecay: 0 });
  });

  it('falls back to the components the space holds, with a note; explicit values are checked', () => {
    const r = resolveSettings('photo', {}, 48);
    expect(r.settings.components).toBe(48);
    expect(r.notes).toEqual(["the space holds 48 principal components, fewer than the photo preset's 10000; using 48"]);
    expect(resolveSettings('painting', { steps: 5, seed: 3 }, 2000)).toEqual({
      settings: { ...PRESETS.painting, steps: 5, seed: 3, prompt: 'sks person' },
      notes: [],
    });
    expect(() => resolveSettings('photo', { components: 49 }, 48)).toThrow(/components must be at most the 48 the space holds, got 49/);
    expect(() => resolveSettings('photo', { lr: -1 }, 48)).toThrow(/lr must be positive, got -1/);
    expect(() => resolveSettings('photo', { steps: 0 }, 48)).toThrow(/steps must be a positive integer, got 0/);
  });
});
