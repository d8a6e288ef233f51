// What a conformance check is, and what the page publishes as `window.__conformance`.
import type { Graph } from '../engine/graph/ir';
import type { ModelFolder } from '../engine/io/model-folder';
import type { SafetensorsFile } from '../engine/io/safetensors';
import type { EngineSession } from '../engine/runtime/session';
import type { BackendProbe } from '../engine/runtime/web';

export interface CheckContext {
  readonly probe: BackendProbe;
  /** The repo `${hub}/${repo}/resolve/main/`; `repo` defaults to the page's (e.g. test/tiny-sd-a). */
  folder(repo?: string): ModelFolder;
  /** That folder's URL. */
  url(repo?: string): string;
  /** A safetensors file of that repo, read with HTTP Range requests (opened once per page). */
  safetensors(path: string, repo?: string): Promise<SafetensorsFile>;
  /** A session on the probed provider, released when the check ends. */
  session(graph: Graph): Promise<EngineSession>;
}

export interface Comparison {
  key: string;
  actual: ArrayLike<number>;
  expected: ArrayLike<number>;
  /** Bound on relErr (max |actual − expected| / max |expected|, the fixtures' measure). */
  tol: number;
}

export interface Check {
  /** Selected by `?checks=name,…`. */
  readonly name: string;
  run(ctx: CheckContext): Promise<Comparison[]>;
}

export interface CheckResult {
  key: string;
  relErr: number;
  tol: number;
  ok: boolean;
}

export interface ConformanceReport {
  backend: BackendProbe['provider'];
  adapter?: BackendProbe['adapterInfo'];
  probe: BackendProbe;
  /** Where the checks ran: the page's main thread or a module worker. */
  context: 'main' | 'worker';
  crossOriginIsolated: boolean;
  numThreads: number;
  results: CheckResult[];
  /** Wall time of each check in ms, session creation included. */
  timings: Record<string, number>;
  /** Set when a check (or the setup) threw; the other checks still ran. */
  error?: string;
}

export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    // NaN must fail the check, and Math.max would let a later finite value hide it.
    if (Number.isNaN(d)) return NaN;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale > 0 ? diff / scale : diff;
}
