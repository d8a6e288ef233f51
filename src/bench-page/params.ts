// The benchmark page's settings from its query string (`?steps=50&runs=3&size=512&precision=auto&backend=webgpu&warmup=1`),
// each checked with an error that names the parameter.
import { parseProvider, type Provider } from '../engine/runtime/web';

export type PrecisionChoice = 'auto' | 'fp32' | 'fp16';

export interface BenchSettings {
  /** Denoising steps of the generation case. */
  steps: number;
  /** Timed runs per case, after one untimed first call. */
  runs: number;
  /** Image side in pixels; absent: the model's default (its UNet sample_size × the VAE factor). */
  size?: number;
  precision: PrecisionChoice;
  /** Forced provider; absent: WebGPU when there is an adapter, else wasm. */
  backend?: Provider;
  /** An untimed first call per case (sessions, weight upload); off (`warmup=0`), the timed runs include them. */
  warmup: boolean;
}

export const DEFAULT_STEPS = 50;
export const DEFAULT_RUNS = 3;

function positiveInt(q: URLSearchParams, name: string, fallback: number | undefined, max: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name}=${raw}: expected a whole number from 1 to ${max}`);
  return n;
}

export function parseSettings(search: string): BenchSettings {
  const q = new URLSearchParams(search);
  const precision = q.get('precision') || 'auto';
  if (precision !== 'auto' && precision !== 'fp32' && precision !== 'fp16')
    throw new Error(`precision=${precision}: expected "auto", "fp32" or "fp16"`);
  const warmup = q.get('warmup') || '1';
  if (warmup !== '0' && warmup !== '1') throw new Error(`warmup=${warmup}: expected 1 (an untimed first call per case) or 0 (none)`);
  return {
    steps: positiveInt(q, 'steps', DEFAULT_STEPS, 1000)!,
    runs: positiveInt(q, 'runs', DEFAULT_RUNS, 100)!,
    size: positiveInt(q, 'size', undefined, 4096),
    precision,
    backend: parseProvider(q.get('backend')),
    warmup: warmup === '1',
  };
}

/** The query string that reproduces `s` (the form submits it; defaults left out). */
export function settingsQuery(s: BenchSettings): URLSearchParams {
  const q = new URLSearchParams();
  q.set('steps', String(s.steps));
  q.set('runs', String(s.runs));
  if (s.size !== undefined) q.set('size', String(s.size));
  if (s.precision !== 'auto') q.set('precision', s.precision);
  if (s.backend) q.set('backend', s.backend);
  if (!s.warmup) q.set('warmup', '0');
  return q;
}
