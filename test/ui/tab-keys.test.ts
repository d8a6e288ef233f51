// The screen tabs' keys (WAI-ARIA tabs pattern): arrows wrap and skip disabled tabs, Home/End.
import { describe, expect, it } from 'vitest';
import { tabKeyTarget } from '../../src/ui/tab-keys';

describe('tabKeyTarget', () => {
  const all = [true, true, true, true, true];
  it('Left/Right move by one and wrap; Home/End go to the ends', () => {
    expect(tabKeyTarget('ArrowRight', 1, all)).toBe(2);
    expect(tabKeyTarget('ArrowRight', 4, all)).toBe(0);
    expect(tabKeyTarget('ArrowLeft', 0, all)).toBe(4);
    expect(tabKeyTarget('Home', 3, all)).toBe(0);
    expect(tabKeyTarget('End', 1, all)).toBe(4);
  });

  it('disabled tabs are skipped; with only one enabled focus stays', () => {
    const some = [true, false, true, false, false];
    expect(tabKeyTarget('ArrowRight', 0, some)).toBe(2);
    expect(tabKeyTarget('ArrowRight', 2, some)).toBe(0);
    expect(tabKeyTarget('ArrowLeft', 0, some)).toBe(2);
    expect(tabKeyTarget('End', 0, some)).toBe(2);
    expect(tabKeyTarget('ArrowRight', 0, [true, false, false, false, false])).toBe(0);
  });

  it('other keys are not the tablist\'s', () => {
    expect(tabKeyTarget('ArrowDown', 0, all)).toBeUndefined();
    expect(tabKeyTarget('Enter', 0, all)).toBeUndefined();
  });
});
