// The training identities search at full size, in its own process: a synthetic proj of 64,974 × 1,000 (the
// released proj_1000pc.pt's shape) with 40 ±1 label columns; each query filters by two labels and one absent
// (Male ∧ Eyeglasses ∧ ¬Young), orders the matches by cosine to a new identity and takes the first page.
// The first query also computes the row norms (kept for the rest): reported apart as first_ms.
//   tsx bench/search-case.ts [--models M] [--pcs N] [--runs R] [--where Male,Eyeglasses,!Young] (--where '' : no filter, every row sorted)
import { parseArgs } from 'node:util';
import { Rng } from '../src/engine/sd/random';
import { TrainingSearch } from '../src/engine/space/training-search';
import { isEntry } from './entry';
import { memory, resetPeak } from './memory';

/** One search configuration (flags above); prints its JSON line. */
export async function searchCase(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({ args: argv, options: { models: { type: 'string', default: '64974' }, pcs: { type: 'string', default: '1000' }, runs: { type: 'string', default: '10' }, where: { type: 'string', default: 'Male,Eyeglasses,!Young' } } });
  const models = Number(a.models);
  const pcs = Number(a.pcs);
  const rng = new Rng(1);
  const proj = new Float32Array(models * pcs);
  for (let i = 0; i < proj.length; i += 4096) proj.set(rng.normals(Math.min(4096, proj.length - i)), i);
  const names = Array.from({ length: 40 }, (_, j) => (j === 0 ? 'Male' : j === 1 ? 'Eyeglasses' : j === 2 ? 'Young' : `label_${j}`));
  const columns = new Map(names.map((n) => [n, Float32Array.from({ length: models }, () => (rng.uniform() < 0.5 ? -1 : 1))]));
  const search = new TrainingSearch({ proj, pcs, labels: { index: Array.from({ length: models }, (_, m) => String(m)), columns } });
  const where = Object.fromEntries(a.where!.split(',').filter(Boolean).map((t) => [t.replace(/^!/, ''), !t.startsWith('!')]));
  const times: number[] = [];
  let total = 0;
  resetPeak();
  for (let r = 0; r <= Number(a.runs); r++) {
    const c = rng.normals(pcs); // a new identity each time: no query is answered from the previous one's order
    const s = performance.now();
    total = search.query({ where, similarTo: c, count: 20 }).total;
    times.push(performance.now() - s);
  }
  console.log(JSON.stringify({ models, pcs, where: a.where, matches: total, first_ms: times[0], times_ms: times.slice(1), step_peak_mib: memory().hwm }));
}

if (isEntry(import.meta.url)) await searchCase(process.argv.slice(2));
