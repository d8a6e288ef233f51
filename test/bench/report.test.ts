// `npm run bench` rewrites the table between the bench:table markers of docs/benchmark.md and
// bench/RESULTS.md (the README no longer holds it). Run here on temp copies of the real files.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { renderTable, updateDocs, type Results } from '../../bench/report';

const repo = path.resolve(__dirname, '../..');
const DOCS = ['docs/benchmark.md', 'bench/RESULTS.md'];
const START = '<!-- bench:table -->';
const END = '<!-- /bench:table -->';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function tempRepo(readme: string): string {
  root = mkdtempSync(path.join(tmpdir(), 'bench-report-'));
  for (const f of DOCS) {
    mkdirSync(path.join(root, path.dirname(f)), { recursive: true });
    copyFileSync(path.join(repo, f), path.join(root, f));
  }
  writeFileSync(path.join(root, 'README.md'), readme);
  return root;
}

const read = (dir: string, f: string) => readFileSync(path.join(dir, f), 'utf8');
const outside = (text: string) => [text.slice(0, text.indexOf(START)), text.slice(text.indexOf(END))];
const inside = (text: string) => text.slice(text.indexOf(START) + START.length, text.indexOf(END));

const results = (): Results => JSON.parse(read(repo, 'bench/results.json'));

it('the committed table is what bench/results.json renders: a rerun leaves docs/benchmark.md unchanged', () => {
  const dir = tempRepo('# readme\n');
  const res = results();
  updateDocs(dir, res, renderTable(res));
  expect(read(dir, 'docs/benchmark.md')).toBe(read(repo, 'docs/benchmark.md'));
});

it('writes a new table into docs/benchmark.md and RESULTS.md between the markers, prose kept, README untouched', () => {
  const readme = `# readme\n\n${START}\nold table\n${END}\n`;
  const dir = tempRepo(readme);
  const res = results();
  res.date = '2030-01-02T03:04:05.000Z';
  res.cases = res.cases.filter((c) => c.model === 'tiny').slice(0, 1);
  const table = renderTable(res);
  updateDocs(dir, res, table);
  for (const f of DOCS) {
    const before = read(repo, f);
    const after = read(dir, f);
    expect(outside(after)).toEqual(outside(before));
    const body = inside(after);
    expect(body.startsWith('\n2030-01-02 03:04 UTC · ')).toBe(true);
    expect(body.endsWith(`\n\n${table}\n`)).toBe(true);
    // The header, the separator and the one tiny fp32 forward row.
    expect(table.split('\n')).toHaveLength(3);
    expect(table.split('\n')[2]).toMatch(/^\| tiny \| fp32 \| forward b2 \|/);
  }
  expect(read(dir, 'README.md')).toBe(readme);
});
