// The import graph of the TypeScript sources, from their relative import specifiers, and its cycles
// (strongly connected components). Type-only imports are left out: they are erased and order nothing at run time.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : [],
  );

/** Relative value imports (and re-exports) of a module's text; `import type` / `export type` are skipped. */
export function valueSpecifiers(text: string): string[] {
  const statements = text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;'"]*?\bfrom\s+'(\.[^']*)'|^\s*import\s+'(\.[^']*)'/gm);
  return [...statements].filter((m) => !m[2]).map((m) => m[3] ?? m[4]);
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.join(path.dirname(from), spec);
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((p) => /\.tsx?$/.test(p) && existsSync(p));
}

export function importGraph(dirs: string[]): Map<string, string[]> {
  const files = dirs.flatMap(sourceFiles);
  return new Map(files.map((f) => [f, valueSpecifiers(readFileSync(f, 'utf8')).flatMap((s) => resolve(f, s) ?? [])]));
}

/** Every cycle's modules (a strongly connected component of more than one module, or one importing itself), sorted. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}
