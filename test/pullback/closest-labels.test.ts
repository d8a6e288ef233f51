import { describe, expect, it } from 'vitest';
import { closestLabels } from '../../src/engine/pullback/closest-labels';

describe('closestLabels', () => {
  it('per direction, the labels of largest |cosine| first, signs kept', () => {
    const names = ['Male', 'Young', 'Eyeglasses', 'Beard'];
    const cosines = [0.1, -0.7, 0.3, 0.5, /* row 2 */ 0.9, 0, -0.2, 0.05];
    expect(closestLabels(names, cosines)).toEqual([
      [{ name: 'Young', cosine: -0.7 }, { name: 'Beard', cosine: 0.5 }, { name: 'Eyeglasses', cosine: 0.3 }],
      [{ name: 'Male', cosine: 0.9 }, { name: 'Eyeglasses', cosine: -0.2 }, { name: 'Beard', cosine: 0.05 }],
    ]);
    expect(closestLabels(names, cosines, 1)).toEqual([[{ name: 'Young', cosine: -0.7 }], [{ name: 'Male', cosine: 0.9 }]]);
    expect(closestLabels([], [])).toEqual([]);
  });
});
