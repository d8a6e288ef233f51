import { describe, expect, it } from 'vitest';
import { syntheticSpace } from './synthetic';

describe('Space.withOffsets and editWithAlphas', () => {
  const space = syntheticSpace({ d: 40, k: 6, pcs: 4 });

  it('top-PC offsets move c_i by z_i σ_i (σ over the training models), only over the PCs proj has', () => {
    const c = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const std = space.data.projStd;
    const out = space.withOffsets(c, { pcOffsets: [1, -2, 0, 0.5, 3, 3] });
    expect(Array.from(out)).toEqual(Array.from(Float32Array.from([1 + std[0], 2 - 2 * std[1], 3, 4 + 0.5 * std[3], 5, 6])));
    expect(Array.from(c)).toEqual([1, 2, 3, 4, 5, 6]); // the input is left alone
  });

  it('direction offsets move c by offset × unit along each vector, after the PC offsets', () => {
    const c = new Float32Array(6);
    const vectors = [Float32Array.from([1, 0, 0, 0, 0, 0]), Float32Array.from([0, 0.6, 0.8, 0, 0, 0])];
    const out = space.withOffsets(c, { directions: { vectors, unit: 2, offsets: [0.5, -1] } });
    expect(Array.from(out)).toEqual(Array.from(Float32Array.from([1, -1.2, -1.6, 0, 0, 0])));
    const both = space.withOffsets(c, { pcOffsets: [1], directions: { vectors, unit: 2, offsets: [0, 1] } });
    expect(Array.from(both)).toEqual(Array.from(Float32Array.from([space.data.projStd[0], 1.2, 1.6, 0, 0, 0])));
    // A missing offset is 0.
    expect(Array.from(space.withOffsets(c, { directions: { vectors, unit: 2, offsets: [] } }))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('editWithAlphas: the edit and, per edit, α = slider × the calibration unit', () => {
    const c = space.sample(2);
    const unit = space.calibration('Male').unit;
    expect(unit).toBeGreaterThan(0);
    const { edited, alphas } = space.editWithAlphas(c, [{ direction: 'Male', slider: 0.5 }, { direction: 'Young~Male', alpha: 1.5 }]);
    expect(alphas).toEqual([
      { direction: 'Male', alpha: 0.5 * unit, unit },
      { direction: 'Young~Male', alpha: 1.5, unit: space.calibration('Young~Male').unit },
    ]);
    expect(Array.from(edited)).toEqual(Array.from(space.edit(c, [{ direction: 'Male', alpha: 0.5 * unit }, { direction: 'Young~Male', alpha: 1.5 }])));
    // Calibrations are computed once per direction.
    expect(space.calibration('Male')).toBe(space.calibration('Male'));
  });
});
