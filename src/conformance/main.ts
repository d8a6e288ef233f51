// The conformance page: `?hub=<base URL>&repo=test/tiny-sd-a&backend=webgpu|wasm&checks=a,b&in=worker|main`
// runs the checks against the hub-layout server and publishes the report as `window.__conformance`
// (read by e2e/, shown as a table for people).
import * as Comlink from 'comlink';
import { parseProvider } from '../engine/runtime/web';
import type { ConformanceReport } from './check';
import { runConformance, type ConformanceOptions } from './run';
import type { ConformanceWorker } from './worker';

type Published = ConformanceReport | { error: string; results: [] };

declare global {
  interface Window {
    __conformance?: Published;
  }
}

async function run(): Promise<Published> {
  const params = new URLSearchParams(location.search);
  const context = params.get('in') ?? 'worker';
  if (context !== 'worker' && context !== 'main') throw new Error(`unknown in=${context}: expected "worker" or "main"`);
  const opts: ConformanceOptions = {
    hub: params.get('hub') ?? location.origin,
    repo: params.get('repo') ?? 'test/tiny-sd-a',
    force: parseProvider(params.get('backend')),
    checks: params.get('checks')?.split(',').filter(Boolean),
    context,
  };
  if (context === 'main') return runConformance(opts);
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'conformance' });
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (e) => reject(new Error(`conformance worker failed to start: ${e.message || 'load error'}`))),
  );
  try {
    return await Promise.race([Comlink.wrap<ConformanceWorker>(worker).runConformance(opts), failed]);
  } finally {
    worker.terminate();
  }
}

function render(report: Published) {
  const parts: HTMLElement[] = [];
  if (report.error) {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = report.error;
    parts.push(p);
  }
  if (report.results.length) {
    const table = document.createElement('table');
    const row = (cells: string[], tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
    table.innerHTML =
      row(['key', 'relErr', 'tol', ''], 'th') +
      report.results.map((r) => row([r.key, r.relErr.toExponential(2), String(r.tol), r.ok ? 'ok' : 'FAIL'])).join('');
    report.results.forEach((r, i) => table.rows[i + 1].classList.add(r.ok ? 'ok' : 'bad'));
    parts.push(table);
  }
  const details = document.createElement('pre');
  details.textContent = JSON.stringify({ ...report, results: undefined }, null, 2);
  parts.push(details);
  document.getElementById('report')!.replaceChildren(...parts);
  document.title = `conformance: ${report.error ? 'error' : report.results.every((r) => r.ok) ? 'ok' : 'FAIL'}`;
}

run()
  .catch((e: Error): Published => ({ error: e.message, results: [] }))
  .then((report) => {
    render(report);
    window.__conformance = report;
  });
