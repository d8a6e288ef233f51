// The page talks to the workers through one protocol module: nothing under src/ui imports from workers/ but
// workers/protocol.ts (the worker entries are started by URL in src/ui/workers.ts), and no worker imports React.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
const specifiers = (file: string) => [...readFileSync(file, 'utf8').matchAll(/\b(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'/g)].map((m) => m[1]);

describe('module boundaries', () => {
  it('the page imports only workers/protocol from workers/', () => {
    const offending = files('src/ui').flatMap((f) => specifiers(f).filter((s) => /(^|\/)workers\//.test(s) && !/\/workers\/protocol$/.test(s)).map((s) => `${f}: ${s}`));
    expect(offending).toEqual([]);
    // The rule bites: the protocol is imported somewhere, by the path the check expects.
    expect(files('src/ui').some((f) => specifiers(f).some((s) => s.endsWith('/workers/protocol')))).toBe(true);
  });

  it('workers hold no React', () => {
    const offending = files('workers').flatMap((f) => specifiers(f).filter((s) => /^react(-dom)?(\/|$)/.test(s) || s.includes('src/ui/')).map((s) => `${f}: ${s}`));
    expect(offending).toEqual([]);
  });

  it('workers/protocol.ts holds types and constants only: every import is a type import', () => {
    const text = readFileSync('workers/protocol.ts', 'utf8');
    const statements = [...text.matchAll(/^(import|export)\b.*\bfrom\b.*$/gm)].map((m) => m[0]);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) expect(s, s).toMatch(/^(import|export) type\b/);
  });
});
