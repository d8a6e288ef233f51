// No module of src/ or workers/ imports itself back through others: a cycle makes evaluation order depend on
// which module is imported first (a binding read before its module ran is undefined).
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, valueSpecifiers } from '../helpers/import-graph';

describe('import cycles', () => {
  it('the scan reads value imports and re-exports, not type-only ones, and finds every cycle', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "export { c } from '../c';",
      "export type { D } from './d';",
      "import './side-effect';",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(valueSpecifiers(text)).toEqual(['./a', '../c', './side-effect']);
    const graph = new Map([
      ['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']], ['f', ['d']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('src/ and workers/ have none', () => {
    const graph = importGraph(['src', 'workers']);
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });
});
