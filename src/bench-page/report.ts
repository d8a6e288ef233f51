// What the benchmark page publishes (`window.__bench`, the Copy button's JSON) and its Markdown table.
// Field names follow bench/results.json where they mean the same thing (times_ms, first_ms, finite, …).
import type { AdapterInfo, Provider } from '../engine/runtime/web';
import type { BenchSettings } from './params';

export interface CaseResult {
  /** Stable key, e.g. "unet_step_b2". */
  case: string;
  /** What was measured, for people, e.g. "UNet step, batch 2, 32×32 latents (one CFG step)". */
  label: string;
  /** The median of the timed runs (session creation: the build time itself). */
  seconds?: number;
  times_ms?: number[];
  /** The untimed first call: session builds and the weights' upload happen there (session creation: its whole call). */
  first_ms?: number;
  /** Sessions built during the case (key → ms: graph build and session creation). */
  sessions_ms?: Record<string, number>;
  /** Most GPU buffer bytes live at once since the page began counting (WebGPU only), after this case. */
  gpu_peak_bytes?: number;
  /** Whether every output checked was finite. */
  finite?: boolean;
  error?: string;
}

export interface BenchReport {
  date: string;
  model: { repo: string; source: string; revision: string; variant?: string };
  provider: Provider;
  /** Why WebGPU was not used (provider wasm). */
  reason?: string;
  precision: 'fp32' | 'fp16';
  adapter?: AdapterInfo;
  shaderF16: boolean;
  limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
  crossOriginIsolated: boolean;
  numThreads: number;
  settings: BenchSettings & { size: number };
  /** GPU buffer bytes holding the model's weights at the end, per weight file (one copy of each weight the cases used). */
  gpu_weights_bytes?: Record<string, number>;
  cases: CaseResult[];
  /** A failure of the whole run (no model cached, model unreadable, WebGPU requested but missing). */
  error?: string;
}

/** A run that could not start or did not finish: the error, and the cases that finished before it. */
export interface FailedReport {
  error: string;
  /** Set when no cached copy of the model was found: what was looked for, and the caches there are. */
  notCached?: { repo: string; source: string; cachedKeys: string[] };
  cases: CaseResult[];
}

export type Published = BenchReport | FailedReport;

export const isFailed = (r: Published): r is FailedReport => !('provider' in r);

const MiB = 2 ** 20;

/** Seconds with three significant digits (0.0123, 1.23, 123). */
export function formatSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '–';
  return s >= 100 ? s.toFixed(0) : s.toPrecision(3);
}

export const formatMiB = (bytes: number | undefined): string => (bytes === undefined ? '–' : (bytes / MiB).toFixed(1));

/** The middle value (the mean of the two middle ones for an even count); undefined for none. */
export function median(xs: readonly number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One line on where the numbers come from: adapter, provider, precision, model. */
export function describeRun(r: BenchReport): string {
  const a = r.adapter;
  const adapter = a ? [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unnamed adapter' : 'no WebGPU adapter';
  const limits = r.limits?.maxBufferSize !== undefined
    ? ` · maxBufferSize ${formatMiB(r.limits.maxBufferSize)} MiB, maxStorageBufferBindingSize ${formatMiB(r.limits.maxStorageBufferBindingSize)} MiB`
    : '';
  return `${r.date} · ${adapter}${a?.isFallbackAdapter ? ' (fallback adapter)' : ''} · shader-f16 ${r.shaderF16 ? 'yes' : 'no'}${limits} · ` +
    `${r.provider}${r.reason ? ` (${r.reason})` : ''} · ${r.precision} · ${r.model.repo}${r.model.variant ? ` (${r.model.variant} weights)` : ''} · ` +
    `${r.settings.size}×${r.settings.size} px, ${plural(r.settings.steps, 'step')}, ${plural(r.settings.runs, 'timed run')}`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The report as a Markdown table (with the run's description above it). */
export function markdownTable(r: BenchReport): string {
  const rows = r.cases.map((c) => [
    c.label,
    formatSeconds(c.seconds),
    c.first_ms === undefined ? '–' : formatSeconds(c.first_ms / 1000),
    String(c.times_ms?.length ?? 0),
    formatMiB(c.gpu_peak_bytes),
    c.error ? `error: ${c.error}` : c.finite === false ? 'non-finite output' : 'ok',
  ]);
  return [
    describeRun(r),
    '',
    '| case | s | first s | runs | peak GPU MiB | result |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((cells) => `| ${cells.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** What the Copy button copies: the table, then the whole report as JSON. */
export const copyText = (r: BenchReport): string => `${markdownTable(r)}\n\n\`\`\`json\n${JSON.stringify(r, null, 2)}\n\`\`\`\n`;

/** A case's error for the table: what the GPU device loss or memory exhaustion behind it was, when it was one. */
export function caseError(message: string, lostReason?: string): string {
  if (lostReason !== undefined) return `GPU device lost (${lostReason}): ${message}`;
  if (!/^out of memory/i.test(message) && /out of memory|bad_alloc|failed to allocate/i.test(message)) return `out of memory: ${message}`;
  return message;
}
