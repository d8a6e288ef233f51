import { expect, it } from 'vitest';
import { formatBytes } from '../../src/engine/io/format-bytes';

it('formats byte counts in decimal units at each boundary', () => {
  expect(formatBytes(0)).toBe('0 B');
  expect(formatBytes(999)).toBe('999 B');
  expect(formatBytes(1000)).toBe('1.0 kB');
  expect(formatBytes(999_949)).toBe('999.9 kB');
  expect(formatBytes(1e6)).toBe('1.0 MB');
  expect(formatBytes(398_592_000)).toBe('398.6 MB');
  expect(formatBytes(1e9)).toBe('1.00 GB');
  expect(formatBytes(3_985_920_000)).toBe('3.99 GB');
});
