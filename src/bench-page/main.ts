// The benchmark page (bench.html): `?run=1&steps=50&runs=3&size=512&precision=auto&backend=webgpu&warmup=1` (and the app's
// `hub=` and `model=`; otherwise the sources the app saved) runs the cases in a worker, shows a table as they
// finish and publishes the report as `window.__bench` (read by e2e/). Without run=1 it only says what is cached.
import * as Comlink from 'comlink';
import { initialSources } from '../ui/config';
import { parseSettings, settingsQuery, type BenchSettings } from './params';
import { copyText, describeRun, formatMiB, formatSeconds, isFailed, type CaseResult, type FailedReport, type Published } from './report';
import type { BenchWorker } from './worker';

declare global {
  interface Window {
    __bench?: Published;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

const query = new URLSearchParams(location.search);
const sources = initialSources();
/** The app on the same model source (query parameters only where this page was given them). */
const appUrl = () => {
  const q = new URLSearchParams();
  for (const k of ['hub', 'model', 'backend']) if (query.get(k)) q.set(k, query.get(k)!);
  return `./${q.size ? `?${q}` : ''}`;
};

function showSettings(s: BenchSettings): void {
  const form = $<HTMLFormElement>('settings');
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
  field('steps').value = String(s.steps);
  field('runs').value = String(s.runs);
  field('size').value = s.size === undefined ? '' : String(s.size);
  field('precision').value = s.precision;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams(query);
    for (const k of ['steps', 'runs', 'size', 'precision']) next.delete(k);
    const chosen = settingsQuery(parseSettings(new URLSearchParams(new FormData(form) as unknown as Record<string, string>).toString()));
    for (const [k, v] of chosen) next.set(k, v);
    next.set('run', '1');
    location.search = next.toString();
  });
}

function startWorker(): { api: Comlink.Remote<BenchWorker>; failed: Promise<never>; stop(): void } {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'bench' });
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (e) => reject(new Error(`the benchmark worker failed: ${e.message || 'load error'}`))),
  );
  return { api: Comlink.wrap<BenchWorker>(worker), failed, stop: () => worker.terminate() };
}

const table = el('table');
const finished: CaseResult[] = [];
function addRow(c: CaseResult): void {
  finished.push(c);
  if (!table.rows.length) table.append(el('tr', {}, ...['case', 's', 'first s', 'runs', 'peak GPU MiB', 'result'].map((h) => el('th', {}, h))));
  const result = c.error ? `error: ${c.error}` : c.finite === false ? 'non-finite output' : 'ok';
  const row = el('tr', { className: c.error || c.finite === false ? 'bad' : 'ok' },
    el('td', {}, c.label),
    el('td', { className: 'num' }, formatSeconds(c.seconds)),
    el('td', { className: 'num' }, c.first_ms === undefined ? '–' : formatSeconds(c.first_ms / 1000)),
    el('td', { className: 'num' }, String(c.times_ms?.length ?? 0)),
    el('td', { className: 'num' }, formatMiB(c.gpu_peak_bytes)),
    el('td', {}, result),
  );
  row.dataset.case = c.case;
  table.append(row);
}

function showFailure(r: FailedReport): void {
  const parts: Node[] = [el('p', { className: 'error', role: 'alert' }, r.error)];
  if (r.cases.length) parts.push(table);
  if (r.notCached) parts.push(el('p', {}, el('a', { href: appUrl() }, `Open the app to download ${r.notCached.repo}`), ', then come back here.'));
  $('report').replaceChildren(...parts);
}

function showReport(r: Published): void {
  $('status').textContent = '';
  if (isFailed(r)) return showFailure(r);
  const text = copyText(r);
  const copied = el('span', { className: 'note' });
  const copy = el('button', { type: 'button' }, 'Copy');
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(text).then(
      () => (copied.textContent = ' copied: a Markdown table and the JSON report'),
      (e: Error) => (copied.textContent = ` copy failed (${e.message}): select the text below instead`),
    );
  });
  const wasm = r.provider === 'wasm' ? [el('p', { className: 'error' }, `Ran on wasm (the CPU), not WebGPU: ${r.reason ?? 'no reason given'}.`)] : [];
  const area = document.createElement('textarea');
  area.readOnly = true;
  area.value = text;
  area.setAttribute('aria-label', 'Markdown table and JSON report');
  $('report').replaceChildren(...wasm, el('p', { id: 'run-info' }, describeRun(r)), table, el('p', {}, copy, copied), area);
}

async function main(): Promise<Published> {
  $<HTMLAnchorElement>('app-link').href = appUrl();
  const settings = parseSettings(location.search);
  showSettings(settings);
  const worker = startWorker();
  try {
    if (query.get('run') !== '1') {
      const found = await Promise.race([worker.api.locate(sources.hub, sources.model), worker.failed]);
      if ('error' in found) return found;
      $('status').textContent = `${sources.model} is cached (${found.variants.map((v) => v || 'fp32').join(', ')} weights): choose the settings and run.`;
      return new Promise(() => {}); // nothing to publish until a run
    }
    $('status').textContent = `running ${sources.model} (the first case builds sessions: seconds to minutes)…`;
    $('report').replaceChildren(table);
    const run = worker.api.runBench({ hub: sources.hub, repo: sources.model, settings }, Comlink.proxy(addRow));
    return await Promise.race([run, worker.failed]);
  } finally {
    worker.stop();
  }
}

main()
  // A worker that dies mid-run (a crash in onnxruntime's wasm) leaves the cases it finished on the page.
  .catch((e: Error): Published => ({ error: e.message, cases: finished }))
  .then((report) => {
    showReport(report);
    window.__bench = report;
    document.title = `benchmark: ${report.error ? 'error' : 'done'}`;
  });
