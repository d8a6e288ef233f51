// The training identities browser's engine: label filters (∧ of present/absent labels), cosine order checked
// against a brute-force loop in float64, pages that tile the whole order, and a row as k coefficients.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/sd/random';
import { TrainingSearch } from '../../src/engine/space/training-search';
import { syntheticSpace } from './synthetic';

/** Cosine of proj row m with c over the first n PCs, in float64 with no unrolling or cached norms. */
function bruteCosine(proj: Float32Array, pcs: number, m: number, c: ArrayLike<number>): number {
  const n = Math.min(pcs, c.length);
  let dot = 0, rr = 0, cc = 0;
  for (let i = 0; i < n; i++) {
    dot += proj[m * pcs + i] * c[i];
    rr += proj[m * pcs + i] ** 2;
    cc += c[i] ** 2;
  }
  return rr && cc ? dot / Math.sqrt(rr * cc) : 0;
}

describe('training identities search', () => {
  // 0/1 labels for one space, ±1 for the other: "present" is > 0 in both conventions.
  const space = syntheticSpace({ models: 300, pcs: 9, k: 12, seed: 3, labels: '01' });
  const pm1 = syntheticSpace({ models: 300, pcs: 9, k: 12, seed: 3, labels: 'pm1' });
  const { proj, pcs, labels } = space.data;
  const col = (name: string) => labels.columns.get(name)!;
  const rng = new Rng(11);

  it('filters by a conjunction of present and absent labels (Male ∧ Eyeglasses ∧ ¬Young)', () => {
    const where = { Male: true, Eyeglasses: true, Young: false };
    const expected = Array.from({ length: space.models }, (_, m) => m).filter((m) => col('Male')[m] === 1 && col('Eyeglasses')[m] === 1 && col('Young')[m] === 0);
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.length).toBeLessThan(80);
    expect(Array.from(space.training.matches(where))).toEqual(expected);
    // Same labels stored as ±1 select the same rows (both spaces drew the same coin flips).
    expect(Array.from(pm1.training.matches(where))).toEqual(expected);
    // No terms: every row; each term alone narrows it.
    expect(space.training.matches({}).length).toBe(space.models);
    expect(space.training.matches({ Male: true }).length + space.training.matches({ Male: false }).length).toBe(space.models);
  });

  it('names an unknown label and the ones the space has', () => {
    expect(() => space.training.matches({ Bald: true })).toThrow(/unknown label "Bald" in the filter: the space's labels are Male, Young, Eyeglasses/);
  });

  it('orders by cosine to the identity as a brute-force float64 loop does', () => {
    const c = rng.normals(space.k);
    const page = space.training.query({ where: { Young: true }, similarTo: c, count: 1000 });
    const young = Array.from({ length: space.models }, (_, m) => m).filter((m) => col('Young')[m] === 1);
    const brute = young.map((m) => ({ m, cos: bruteCosine(proj, pcs, m, c) })).sort((a, b) => b.cos - a.cos);
    expect(page.total).toBe(young.length);
    expect(page.rows.map((r) => r.row)).toEqual(brute.map((b) => b.m));
    page.rows.forEach((r, i) => expect(r.cosine).toBeCloseTo(brute[i].cos, 6));
    expect(page.rows[0].cosine!).toBeGreaterThan(page.rows.at(-1)!.cosine!);
    // A training model finds itself first (cosine 1), whatever k pads it to.
    const self = space.training.query({ similarTo: space.trainingCoef(42), count: 1 }).rows[0];
    expect(self).toMatchObject({ row: 42, file: 'model_42' });
    expect(self.cosine).toBeCloseTo(1, 6);
  });

  it('pages tile the whole order: no row twice, none left out', () => {
    const c = rng.normals(space.k);
    const where = { Male: false };
    const all = space.training.query({ where, similarTo: c, count: 10_000 }).rows.map((r) => r.row);
    const paged: number[] = [];
    for (let offset = 0; offset < all.length; offset += 7) {
      const p = space.training.query({ where, similarTo: c, offset, count: 7 });
      expect(p.total).toBe(all.length);
      expect(p.offset).toBe(offset);
      paged.push(...p.rows.map((r) => r.row));
    }
    expect(paged).toEqual(all);
    expect(space.training.query({ where, similarTo: c, offset: all.length }).rows).toEqual([]);
    expect(() => space.training.query({ offset: -1 })).toThrow(/page offset must be a whole number ≥ 0, got -1/);
    expect(() => space.training.query({ count: 0 })).toThrow(/rows per page must be a whole number ≥ 1, got 0/);
  });

  it('without an identity: rows in order, no cosine; each row lists the labels it has', () => {
    const p = space.training.query({ where: { Eyeglasses: true }, count: 5 });
    expect(p.rows.map((r) => r.row)).toEqual(Array.from(space.training.matches({ Eyeglasses: true }).subarray(0, 5)));
    for (const r of p.rows) {
      expect(r.cosine).toBeUndefined();
      expect(r.labels).toContain('Eyeglasses');
      expect(r.labels.includes('Male')).toBe(col('Male')[r.row] === 1);
    }
  });

  it('a new identity re-orders (the cached order is per query)', () => {
    const a = space.trainingCoef(3);
    const b = space.trainingCoef(200);
    expect(space.training.query({ similarTo: a, count: 1 }).rows[0].row).toBe(3);
    expect(space.training.query({ similarTo: b, count: 1 }).rows[0].row).toBe(200);
    expect(space.training.query({ similarTo: a, count: 1 }).rows[0].row).toBe(3);
  });

  it('cosines over the first min(n, length) PCs; a zero identity or row scores 0', () => {
    const t = new TrainingSearch({ proj: Float32Array.from([1, 0, 5, 0, 0, 0, 3, 4, 9]), pcs: 3, labels: { index: ['a', 'b', 'c'], columns: new Map() } });
    expect(Array.from(t.cosines([1, 0]))).toEqual([1, 0, 0.6000000238418579]);
    expect(Array.from(t.cosines([0, 0, 0]))).toEqual([0, 0, 0]);
  });

  it('a row as an identity: its proj row zero-padded to k (or cut to k below n)', () => {
    const c = space.trainingCoef(5);
    expect(c.length).toBe(space.k);
    expect(Array.from(c.subarray(0, pcs))).toEqual(Array.from(proj.subarray(5 * pcs, 6 * pcs)));
    expect(Array.from(c.subarray(pcs))).toEqual(new Array(space.k - pcs).fill(0));
    // A copy: the identity can change without touching proj.
    c[0] += 1;
    expect(space.trainingCoef(5)[0]).toBe(proj[5 * pcs]);
    const small = syntheticSpace({ k: 4, pcs: 9 });
    expect(Array.from(small.trainingCoef(2))).toEqual(Array.from(small.data.proj.subarray(2 * 9, 2 * 9 + 4)));
    expect(() => space.trainingCoef(300)).toThrow(/training identity 300 does not exist: the space has rows 0..299/);
  });
});
