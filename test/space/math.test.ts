import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/sd/random';
import { dot, relativeResidual } from '../../src/engine/space/math';
import { syntheticSpace } from './synthetic';

describe('space math', () => {
  const space = syntheticSpace();
  const rng = new Rng(5);

  it('θ(c) projects back to c (V orthonormal), with negative std entries used as stored', () => {
    expect(space.data.std.some((s) => s < 0)).toBe(true);
    const c = rng.normals(space.k);
    const back = space.coef(space.theta(c));
    expect(relativeResidual(c, back)).toBeLessThan(1e-5);
    // Odd D and k (the products' unrolled loops have tails).
    const odd = syntheticSpace({ d: 201, k: 7, pcs: 5 });
    const co = rng.normals(7);
    expect(relativeResidual(co, odd.coef(odd.theta(co)))).toBeLessThan(1e-5);
  });

  it('a shorter coefficient vector is zero-padded; a longer one is an error', () => {
    const c = rng.normals(4);
    const padded = new Float32Array(space.k);
    padded.set(c);
    expect(Array.from(space.theta(c))).toEqual(Array.from(space.theta(padded)));
    expect(() => space.theta(new Float32Array(space.k + 1))).toThrow(/13 entries.*12 components/);
  });

  it('∂L/∂c matches finite differences of a quadratic loss of θ', () => {
    const target = rng.normals(space.size);
    const loss = (c: ArrayLike<number>) => {
      const th = space.theta(c);
      return th.reduce((s, x, i) => s + 0.5 * (x - target[i]) ** 2, 0);
    };
    const c = rng.normals(space.k);
    const th = space.theta(c);
    const g = space.gradCoef(th.map((x, i) => x - target[i]));
    for (const i of [0, 5, 11]) {
      const h = 1e-2;
      const e = (s: number) => Float64Array.from(c, (x, j) => (j === i ? x + s * h : x));
      const fd = (loss(e(1)) - loss(e(-1))) / (2 * h);
      expect(Math.abs(fd - g[i]) / Math.abs(g[i])).toBeLessThan(1e-3);
    }
  });

  it('sampling: seeded, N(μ_i, (f σ_i)²) per PC, zero beyond the PCs of proj', () => {
    expect(Array.from(space.sample(3))).toEqual(Array.from(space.sample(3)));
    expect(Array.from(space.sample(3))).not.toEqual(Array.from(space.sample(4)));
    const n = 4000;
    const { pcs, projMean, projStd } = space.data;
    for (const f of [1, 0.25]) {
      const sum = new Float64Array(pcs);
      const sq = new Float64Array(pcs);
      for (let s = 0; s < n; s++) {
        const c = space.sample(s, f);
        for (let i = pcs; i < space.k; i++) expect(c[i]).toBe(0);
        for (let i = 0; i < pcs; i++) {
          sum[i] += c[i];
          sq[i] += c[i] ** 2;
        }
      }
      for (let i = 0; i < pcs; i++) {
        const m = sum[i] / n;
        const sd = Math.sqrt(sq[i] / n - m * m);
        expect(Math.abs(m - projMean[i])).toBeLessThan((4 * f * projStd[i]) / Math.sqrt(n));
        expect(sd / (f * projStd[i])).toBeGreaterThan(0.95);
        expect(sd / (f * projStd[i])).toBeLessThan(1.05);
      }
    }
  });

  it('debias chains remove each attribute in sequence', () => {
    const d = space.direction('Young~Male');
    expect(Math.abs(dot(d, space.direction('Male')))).toBeLessThan(1e-5 * dot(d, d));
    const chain = space.direction('Young~Male~Eyeglasses');
    expect(Math.abs(dot(chain, space.direction('Eyeglasses')))).toBeLessThan(1e-5 * dot(chain, chain));
    expect(() => space.direction('Young~Bald')).toThrow(/unknown attribute "Bald".*Male, Young, Eyeglasses/);
  });

  it('edits compose: c + Σ α_j d_j, slider = α / calibration unit', () => {
    const c = space.sample(1);
    const male = space.directionK('Male');
    const young = space.directionK('Young~Male');
    const out = space.edit(c, [{ direction: 'Male', alpha: 2 }, { direction: 'Young~Male', alpha: -3 }]);
    for (let i = 0; i < space.k; i++) expect(out[i]).toBeCloseTo(c[i] + 2 * male[i] - 3 * young[i], 4);
    const unit = space.calibration('Male').unit;
    const bySlider = space.edit(c, [{ direction: 'Male', slider: 0.5 }]);
    const byAlpha = space.edit(c, [{ direction: 'Male', alpha: 0.5 * unit }]);
    expect(Array.from(bySlider)).toEqual(Array.from(byAlpha));
    expect(() => space.edit(c, [{ direction: 'Male' }])).toThrow(/exactly one of alpha/);
  });

  it('calibration unit = max over training models of |proj_m · d| / (d · d)', () => {
    const d = space.direction('Male');
    const { proj, pcs } = space.data;
    const ts = Array.from({ length: space.models }, (_, m) => dot(proj.subarray(m * pcs, (m + 1) * pcs), d) / dot(d, d));
    const cal = space.calibration('Male');
    expect(cal.unit).toBeCloseTo(Math.max(...ts.map(Math.abs)), 3);
    expect(cal.center).toBeCloseTo(ts.reduce((a, b) => a + b) / ts.length, 3);
    // One unit moves a model along d by as much as the farthest training model sits from the origin.
    const moved = space.edit(new Float32Array(space.k), [{ direction: 'Male', slider: 1 }]);
    expect(Math.abs(dot(moved, d) / dot(d, d))).toBeCloseTo(cal.unit, 3);
  });

  it('nearest training identities by cosine: a training model finds itself first', () => {
    const { proj, pcs } = space.data;
    const c = Float32Array.from(proj.subarray(7 * pcs, 8 * pcs));
    const [first, second] = space.nearest(c, 2);
    expect(first).toMatchObject({ row: 7, file: 'model_7' });
    expect(first.cosine).toBeCloseTo(1, 6);
    expect(second.cosine).toBeLessThan(1);
  });

  it('labels stored as 0/1 or ±1 both give directions (pinverse @ labels as stored)', () => {
    const zeroOne = syntheticSpace({ labels: '01' });
    expect(Array.from(zeroOne.data.labels.columns.get('Male')!).every((x) => x === 0 || x === 1)).toBe(true);
    expect(zeroOne.direction('Male').some((x) => x !== 0)).toBe(true);
  });
});
