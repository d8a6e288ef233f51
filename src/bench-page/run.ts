// The benchmark run, in the page's worker: the model the visitor cached with the app (OPFS, keyed by repo and
// revision as the engine worker keys it), loaded the app's way (probed provider, one GPU copy of the weights,
// the app's session limit), then each case of cases.ts with its time, GPU peak and errors.
import { ModelCache, cacheKey } from '../engine/io/cache';
import { folderFromFiles } from '../engine/io/model-folder';
import { FP16, FP32 } from '../engine/models/params';
import { trackGpuBuffers, type GpuMemoryReport } from '../engine/runtime/gpu-accounting';
import { createGpuWeights, createWebSession, probeBackend, wasmSettings, webgpuDevice, type GpuDeviceLike } from '../engine/runtime/web';
import { StableDiffusion } from '../engine/sd/stable-diffusion';
import { autoPrecision } from '../ui/config';
import { describeSource, modelFiles, REVISION } from '../../workers/model-source';
import { CASES, type CaseContext } from './cases';
import type { BenchSettings } from './params';
import { caseError, median, type BenchReport, type CaseResult, type FailedReport } from './report';

export interface BenchOptions {
  hub: string;
  repo: string;
  settings: BenchSettings;
}

/** The app's limit on WebGPU sessions kept between runs (workers/engine.worker.ts MAX_WEBGPU_SESSIONS): all four of these cases' fit. */
const MAX_WEBGPU_SESSIONS = 4;

const message = (e: unknown) => (e as Error)?.message ?? String(e);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The cached variants of the model ('' = plain weights, 'fp16'), or why there is nothing to run. */
export async function locate(hub: string, repo: string): Promise<{ variants: string[] } | FailedReport> {
  const source = describeSource({ kind: 'hub', hub, repo });
  // Listed first, so that looking does not create an empty cache directory for a model never downloaded.
  const keys = (await ModelCache.usage()).map((u) => u.key);
  const cache = keys.includes(cacheKey(repo, REVISION)) ? await ModelCache.open(repo, REVISION) : undefined;
  const variants = cache ? ['', 'fp16'].filter((v) => cache.has(modelFiles(v || undefined))) : [];
  if (variants.length) return { variants };
  return {
    error:
      `no cached model: looked for ${repo} (revision ${REVISION}, from ${source}) in this browser's model cache and ` +
      `found ${keys.length ? `only ${keys.join(', ')}` : 'no model'}. Download it in the app first (a model read from a local folder is not cached).`,
    notCached: { repo, source, cachedKeys: keys },
    cases: [],
  };
}

export async function runBench(opts: BenchOptions, onCase: (c: CaseResult) => void): Promise<BenchReport | FailedReport> {
  const { settings } = opts;
  const found = await locate(opts.hub, opts.repo);
  if ('error' in found) return found;
  const probe = await probeBackend(settings.backend);
  const precision = settings.precision === 'auto' ? autoPrecision(probe) : settings.precision;
  // fp16 reads the repo's *.fp16.safetensors when that is what the app cached, as the engine worker does.
  const variant = precision === 'fp16' && found.variants.includes('fp16') ? 'fp16' : found.variants.includes('') ? '' : undefined;
  if (variant === undefined) throw new Error(`only the fp16 weights of ${opts.repo} are cached: run with precision=fp16, or download the model in the app at fp32`);
  const paths = modelFiles(variant || undefined);
  const files = await (await ModelCache.open(opts.repo, REVISION)).files(paths);

  let device: GpuDeviceLike | undefined;
  let gpuMemory: (() => GpuMemoryReport) | undefined;
  let lostReason: string | undefined;
  const weights = probe.provider === 'webgpu' ? await createGpuWeights() : undefined;
  const sessions = new Map<string, number>();
  const sd = await StableDiffusion.load(
    folderFromFiles(files, describeSource({ kind: 'hub', hub: opts.hub, repo: opts.repo })),
    {
      async createSession(graph) {
        const session = await createWebSession(graph, { provider: probe.provider, weights });
        // The device exists once the first WebGPU session does: count its buffers and watch for its loss from here.
        const d = probe.provider === 'webgpu' ? await webgpuDevice() : undefined;
        if (d && d !== device) {
          device = d;
          gpuMemory = trackGpuBuffers(d as unknown as Parameters<typeof trackGpuBuffers>[0]);
          void d.lost.then((info) => (lostReason ??= `${info.reason}: ${info.message}`));
        }
        return session;
      },
      release: async () => weights?.release(),
      forget: async (source) => weights?.forget(source),
    },
    {
      precision: precision === 'fp16' ? FP16 : FP32,
      variant: variant || undefined,
      maxSessions: probe.provider === 'webgpu' ? MAX_WEBGPU_SESSIONS : undefined,
      onSession: (e) => e.ms !== undefined && sessions.set(e.key, e.ms),
    },
  );
  const size = settings.size ?? sd.defaultImageSize;
  if (size % sd.sizeMultiple) throw new Error(`size=${size}: the image side must be a multiple of ${sd.sizeMultiple} for this model`);

  const report: BenchReport = {
    date: new Date().toISOString(),
    model: { repo: opts.repo, source: describeSource({ kind: 'hub', hub: opts.hub, repo: opts.repo }), revision: REVISION, variant: variant || undefined },
    provider: probe.provider,
    reason: probe.reason,
    precision,
    adapter: probe.adapterInfo,
    shaderF16: probe.shaderF16,
    limits: probe.adapterInfo ? { maxBufferSize: probe.maxBufferSize, maxStorageBufferBindingSize: probe.maxStorageBufferBindingSize } : undefined,
    ...(await wasmSettings()),
    settings: { ...settings, size },
    cases: [],
  };
  const ctx: CaseContext = { sd, provider: probe.provider, size, steps: settings.steps, sessions };
  try {
    for (const c of CASES) {
      const result: CaseResult = { case: c.name, label: c.label(ctx) };
      report.cases.push(result);
      sessions.clear();
      if (lostReason !== undefined) result.error = `not run: the GPU device was lost (${lostReason})`;
      else {
        try {
          if (settings.warmup && c.warm !== null) {
            const t0 = performance.now();
            await (c.warm ?? c.run)(ctx);
            result.first_ms = performance.now() - t0;
          }
          const times: number[] = [];
          let finite = true;
          for (let i = 0; i < (c.runs ?? settings.runs); i++) {
            const t0 = performance.now();
            const out = await c.run(ctx);
            const wall = performance.now() - t0;
            times.push(out.ms ?? wall);
            // A case that times part of its call (session creation) still shows the whole first call: the
            // build, the weights' upload and the first run.
            if (out.ms !== undefined) result.first_ms ??= wall;
            finite &&= out.finite;
          }
          Object.assign(result, { times_ms: times, seconds: median(times)! / 1000, finite });
        } catch (e) {
          // A loss settles just after the call that failed on it.
          if (device && lostReason === undefined) await Promise.race([device.lost, sleep(1000)]);
          result.error = caseError(message(e), lostReason);
        }
        await c.after?.(ctx).catch(() => undefined);
      }
      if (sessions.size) result.sessions_ms = Object.fromEntries(sessions);
      result.gpu_peak_bytes = gpuMemory?.().peak;
      onCase(result);
    }
    report.gpu_weights_bytes = gpuMemory?.().weights;
  } finally {
    await sd.release();
  }
  return report;
}
