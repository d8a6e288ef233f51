// Runs the selected checks on one provider, in whatever context imports it (main thread or worker).
import { folderFromUrl, type ModelFolder } from '../engine/io/model-folder';
import { openSafetensors, type SafetensorsFile } from '../engine/io/safetensors';
import type { EngineSession } from '../engine/runtime/session';
import type { GpuWeights } from '../engine/runtime/gpu-weights';
import { createGpuWeights, createWebSession, probeBackend, wasmSettings, type Provider } from '../engine/runtime/web';
import { relErr, type Check, type CheckContext, type ConformanceReport } from './check';
import { CHECKS } from './checks';

export interface ConformanceOptions {
  /** Base URL of a server in Hugging Face hub layout (`<hub>/<owner>/<repo>/resolve/main/<path>`). */
  hub: string;
  repo: string;
  /** Skip probing and use this provider (WebGPU then fails loudly when unavailable). */
  force?: Provider;
  /** Check names; all when absent. */
  checks?: readonly string[];
  context: ConformanceReport['context'];
}

export async function runConformance(opts: ConformanceOptions): Promise<ConformanceReport> {
  const selected = selectChecks(opts.checks);
  const probe = await probeBackend(opts.force);
  const report: ConformanceReport = {
    backend: probe.provider,
    adapter: probe.adapterInfo,
    probe,
    context: opts.context,
    ...(await wasmSettings()),
    results: [],
    timings: {},
  };
  const errors: string[] = [];
  const folders = new Map<string, ModelFolder>();
  const files = new Map<string, Promise<SafetensorsFile>>();
  const url = (repo = opts.repo) => `${opts.hub.replace(/\/+$/, '')}/${repo}/resolve/main`;
  const folder = (repo = opts.repo): ModelFolder => {
    let f = folders.get(repo);
    if (!f) folders.set(repo, (f = folderFromUrl(url(repo))));
    return f;
  };

  for (const check of selected) {
    const sessions: EngineSession[] = [];
    // On WebGPU the checks run the app's way: weights as inputs from one GPU copy per check.
    let weights: GpuWeights | undefined;
    const ctx: CheckContext = {
      probe,
      folder,
      url,
      safetensors(path, repo = opts.repo) {
        const key = `${repo}/${path}`;
        let f = files.get(key);
        if (!f) files.set(key, (f = folder(repo).source(path).then(openSafetensors)));
        return f;
      },
      async session(graph) {
        if (probe.provider === 'webgpu') weights ??= await createGpuWeights();
        const s = await createWebSession(graph, { provider: probe.provider, weights });
        sessions.push(s);
        return s;
      },
    };
    const t0 = performance.now();
    try {
      for (const c of await check.run(ctx)) {
        const e = relErr(c.actual, c.expected);
        report.results.push({ key: c.key, relErr: e, tol: c.tol, ok: e <= c.tol });
      }
    } catch (e) {
      errors.push(`${check.name}: ${(e as Error).message}`);
    } finally {
      await Promise.all(sessions.map((s) => s.release()));
      await weights?.release();
    }
    report.timings[check.name] = Math.round(performance.now() - t0);
  }
  if (errors.length) report.error = errors.join('; ');
  return report;
}

function selectChecks(names?: readonly string[]): Check[] {
  if (!names) return CHECKS;
  return names.map((n) => {
    const c = CHECKS.find((k) => k.name === n);
    if (!c) throw new Error(`unknown check ${JSON.stringify(n)}; known: ${CHECKS.map((k) => k.name).join(', ')}`);
    return c;
  });
}
