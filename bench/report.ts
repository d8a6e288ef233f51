// The benchmark's results: types, the markdown table, and writing it into bench/RESULTS.md and
// docs/benchmark.md (between marker comments, so the prose around it stays as written).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Measured = Record<string, unknown> & {
  error?: string;
  build_ms?: number;
  session_ms?: number;
  times_ms?: number[];
  step_peak_mib?: number;
  load?: number[][];
};

export interface CaseResult {
  model: string;
  precision: string;
  task: string;
  /** The Node runtime's memory mode for our engine (createNodeSession's `memory`). */
  memory?: string;
  /** onnxruntime-node's provider for our engine: 'cpu' (default) or 'webgpu'. */
  provider?: string;
  ort?: Measured;
  torch?: Measured;
}

export interface Results {
  date: string;
  machine: { cpus: number; cpu: string; memGiB: number };
  threads: number;
  torch: { version: string } | { unavailable: string };
  torchCheck?: Record<string, unknown>;
  cases: CaseResult[];
}

/** Targets of issue 2: time ratio (ours / PyTorch) per task; gradient-step memory no more than PyTorch's. */
const TIME_TARGET: Record<string, number> = { forward: 0.8, grad: 1.0, invert: 2.0 };
const MEM_TARGET: Record<string, number> = { grad: 1.0 };
/** Issue 14: a training identities query over 64,974 × 1,000 within 200 ms in Node. */
const SEARCH_TARGET_MS = 200;

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor((xs.length - 1) / 2)];
const stepMs = (m?: Measured) => (m && !m.error && m.times_ms?.length ? median(m.times_ms) : undefined);
const sec = (ms?: number) => (ms === undefined ? '–' : ms < 10_000 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(1));
const gib = (mib?: number) => (mib === undefined ? '–' : (mib / 1024).toFixed(2));

function ratio(ours: number | undefined, theirs: number | undefined, target?: number): string {
  if (ours === undefined || theirs === undefined) return '–';
  const r = ours / theirs;
  return `${r.toFixed(2)}${target === undefined ? '' : r <= target ? ' ✓' : ` ✗ (≤ ${target})`}`;
}

const cell = (m: Measured | undefined, v: string) => (m?.error ? `failed¹` : v);

export function renderTable(res: Results): string {
  const head = [
    'model', 'weights', 'task', 'graph build s', 'session s', 'ours s', 'PyTorch s', 'time ratio',
    'ours peak GiB', 'PyTorch peak GiB', 'memory ratio', 'load (1 min)',
  ];
  const rows = res.cases.map((c) => {
    const o = c.ort;
    const t = c.torch;
    const invertK = /^invert_k(\d+)$/.exec(c.task)?.[1];
    const search = c.task.startsWith('search');
    const label = search ? `training identities search ${o?.models ?? '?'} × ${o?.pcs ?? '?'}, ${c.task === 'search_all' ? 'every row sorted' : 'Male ∧ Eyeglasses ∧ ¬Young'} (JS)`
      : c.task === 'forward' ? 'forward b2' : c.task === 'grad' ? 'grad step b1'
      : invertK ? `inversion step k = ${invertK} (θ in the graph)` : `basis step k = ${o?.k ?? '?'} (θ + ∂L/∂c)`;
    const task = `${label}${c.memory === 'low' ? ', low-memory' : ''}${c.provider === 'webgpu' ? ', WebGPU' : ''}`;
    // A basis step is measured against the same model's gradient step on the same provider: it should be ≤ 10 % of it.
    const grad = c.task === 'basis' ? res.cases.find((g) => g.model === c.model && g.task === 'grad' && g.precision === c.precision && (g.provider ?? 'cpu') === (c.provider ?? 'cpu') && g.memory !== 'low') : undefined;
    const loadAvg = [o?.load?.[0]?.[0], t?.load?.[0]?.[0]].filter((x) => x !== undefined).join(' / ');
    return [
      search ? '–' : c.model, search ? 'fp32' : c.precision, task, cell(o, sec(o?.build_ms)), cell(o, sec(o?.session_ms)), cell(o, sec(stepMs(o))),
      cell(t, sec(stepMs(t))), search ? `${ratio(stepMs(o), SEARCH_TARGET_MS, 1)} of 200 ms`
      : grad ? `${ratio(stepMs(o), stepMs(grad.ort), 0.1)} of a grad step` : ratio(stepMs(o), stepMs(t), TIME_TARGET[invertK ? 'invert' : c.task]),
      cell(o, gib(o?.step_peak_mib)), cell(t, gib(t?.step_peak_mib)),
      ratio(o?.error ? undefined : o?.step_peak_mib, t?.error ? undefined : t?.step_peak_mib, MEM_TARGET[c.task]), loadAvg,
    ];
  });
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  const out = [line(head), line(head.map(() => '---')), ...rows.map(line)];
  // A PyTorch failure is shared by the rows of both memory modes: listed once.
  const errors = [...new Set(res.cases.flatMap((c) =>
    (['ort', 'torch'] as const).filter((e) => c[e]?.error).map((e) => `${c.model} ${c.precision} ${c.task} ${e}: ${c[e]!.error}`),
  ))];
  if (errors.length) out.push('', ...errors.map((e) => `¹ ${e}`));
  return out.join('\n');
}

function environment(res: Results): string {
  const torch = 'version' in res.torch ? `PyTorch ${res.torch.version} (eager, CPU)` : `PyTorch unavailable: ${res.torch.unavailable}`;
  return `${res.date.slice(0, 16).replace('T', ' ')} UTC · ${res.machine.cpu}, ${res.machine.cpus} cores, ${res.machine.memGiB} GiB · ` +
    `${res.threads} threads each · onnxruntime-node ${[...new Set(res.cases.map((c) => (c.provider === 'webgpu' ? 'WebGPU' : 'CPU')))].join(' + ')} vs ${torch}`;
}

const START = '<!-- bench:table -->';
const END = '<!-- /bench:table -->';

function replaceBetweenMarkers(file: string, body: string) {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf(START);
  const j = text.indexOf(END);
  if (i < 0 || j < i) throw new Error(`${file}: no ${START} … ${END} markers to put the table between`);
  writeFileSync(file, `${text.slice(0, i + START.length)}\n${body}\n${text.slice(j)}`);
}

export function updateDocs(root: string, res: Results, table: string): void {
  const body = `${environment(res)}\n\n${table}`;
  replaceBetweenMarkers(path.join(root, 'bench/RESULTS.md'), body);
  replaceBetweenMarkers(path.join(root, 'docs/benchmark.md'), body);
}
