// All coefficient arithmetic lives in the engine (Space.withOffsets, Space.edit): the page sends offsets and
// slider values and gets coefficients back. This scan finds element-wise arithmetic on arrays in src/ui.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );

const ELEMENTWISE = [
  // x[i] += …, x[i] *= …
  /\w+\[[^\]]+\]\s*[-+*/]=/,
  // x[i] = … y[j] + … (a new element from another array's)
  /\w+\[[^\]]+\]\s*=[^=;]*\w+\[[^\]]+\]\s*[-+*/]/,
  // .map((v, i) => v + …) and Float32Array.from(c, (v, i) => v + …)
  /\b(?:map|from)\((?:[^()]*,\s*)?\(\s*(\w+)\s*,\s*\w+\s*\)\s*=>\s*\1\s*[-+*/]/,
];

const offending = (text: string) => text.split('\n').filter((line) => ELEMENTWISE.some((re) => re.test(line)));

describe('coefficient math stays in the engine', () => {
  it('the scan catches the forms the page used to add offsets with', () => {
    expect(offending('    if (pcStats && i < pcStats.std.length && i < c.length) c[i] += z * pcStats.std[i];')).toHaveLength(1);
    expect(offending('    if (s) for (let i = 0; i < Math.min(v.length, c.length); i++) c[i] += s * v[i];')).toHaveLength(1);
    expect(offending('  const moved = Float32Array.from(coef, (c, j) => c + s * scale * vectors[i][j]);')).toHaveLength(1);
    expect(offending('  for (let i = 0; i < n; i++) out[i] = c[i] + s * v[i];')).toHaveLength(1);
    expect(offending('  const scaled = c.map((v, i) => v * s);')).toHaveLength(1);
    // Sums for display and picks by index are not coefficient math.
    expect(offending('  const previews = set.previews.map((v, j) => (j === i ? s : v));')).toHaveLength(0);
    expect(offending('  const loaded = Object.values(progress).reduce((a, p) => a + p.loaded, 0);')).toHaveLength(0);
  });

  it('src/ui computes no element of an array from another', () => {
    const found = files('src/ui').flatMap((f) => offending(readFileSync(f, 'utf8')).map((line) => `${f}: ${line.trim()}`));
    expect(found).toEqual([]);
  });
});
