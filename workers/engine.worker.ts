// The engine worker: owns the model cache, the onnxruntime-web sessions and every model evaluation.
// The page talks to it through Comlink (see src/ui/workers.ts); callbacks arrive as Comlink proxies.
import * as Comlink from 'comlink';
import { ModelCache, type FileProgress, type PlannedFile } from '../src/engine/io/cache';
import { folderFromFiles, folderFromUrl } from '../src/engine/io/model-folder';
import { FP32, type Precision } from '../src/engine/models/params';
import type { LoraLayout } from '../src/engine/models/lora';
import { MissingFileError } from '../src/engine/io/source';
import { probeStorage } from '../src/engine/io/storage-probe';
import { createGpuWeights, createWebSession, probeBackend, wasmSettings, type BackendProbe, type Provider } from '../src/engine/runtime/web';
import { tensorToRgba } from '../src/engine/sd/image';
import { generate } from '../src/engine/sd/pipeline';
import { Space, type SpaceData } from '../src/engine/space/space';
import { basisBytes, type BasisStorage } from '../src/engine/space/basis-graph';
import { formatBytes } from '../src/engine/io/format-bytes';
import { memoryNeeds, verdict, type MemoryNeeds, type Verdict } from '../src/engine/sd/memory-needs';
import { StableDiffusion, type SessionEvent } from '../src/engine/sd/stable-diffusion';
import { deviceApi, deviceLost, DEVICE_LOST, guardDeviceLoss, onDeviceLost, watchDevice, whenIdle } from './device';
import { directionsApi } from './directions';
import { invertApi, type InversionContext } from './invert';
import { faceApi } from './face';
import { describeSource, modelFiles, remoteFiles, REVISION, type ModelSource, type PrecisionName } from './model-source';
import { probeThreshold, testHooksApi, testHandleWrapper } from './test-hooks';
import { JobGate, type JobKind } from './jobs';
import { encodePng, latentPreview } from './preview';

export interface Capabilities extends BackendProbe {
  crossOriginIsolated: boolean;
  numThreads: number;
}

export interface DownloadPlan {
  files: PlannedFile[];
  variant?: string;
  total: number;
  cached: number;
}

export interface ModelInfo {
  source: string;
  provider: Provider;
  precision: PrecisionName;
  loraSize: number;
  defaultSize: number;
  sizeMultiple: number;
  scheduler: string;
  /** The UNet's w2w LoRA layout (the space worker checks and exports against it). */
  layout: LoraLayout;
  /** What the model needs at its native size (basis at DEFAULT_K), and whether it fits this backend. */
  needs: MemoryNeeds;
  verdict: Verdict;
}

/** The basis size the memory estimate assumes: the official sampling's k. */
const DEFAULT_K = 1000;

/** The generation settings the page edits. */
export interface GenSettings {
  prompt: string;
  negative: string;
  seed: number;
  steps: number;
  guidance: number;
  scheduler: 'pndm' | 'ddim';
  width: number;
  height: number;
}

export interface GenerateParams extends GenSettings {
  lora: Float32Array | null;
  /** Delayed injection: replaces `lora` once t ≤ switchAt. */
  lora2: Float32Array | null;
  switchAt: number;
}

export interface StepPreview {
  step: number;
  total: number;
  timestep: number;
  /** The latents mapped to RGB at latent resolution, as PNG. */
  png: Blob;
}

export interface GenerateOutput {
  png: Blob;
  width: number;
  height: number;
  ms: number;
}

let probe: BackendProbe | undefined;
let sd: StableDiffusion | undefined;
let info: ModelInfo | undefined;
// One GPU job at a time (generation, inversion, directions); downloads are not device work.
const jobs = new JobGate();
let download: AbortController | undefined;
// The page's listener for session builds (it says what is being prepared while a job waits on one).
let notifySessions: ((e: SessionEvent) => void) | undefined;
// The space worker's basis over shared memory (inversion's θ(c) and ∂L/∂c).
let space: Space | undefined;


/**
 * WebGPU sessions kept between runs. Weights live once outside them (runtime/gpu-weights.ts), so a session
 * is cheap to rebuild, but it keeps its activation buffers while it lives: enough for one job's graphs
 * (generation: CLIP, the CFG UNet, the VAE decoder; inversion: the gradient graph and a preview).
 */
const MAX_WEBGPU_SESSIONS = 4;

/**
 * On WebGPU the space's V_k lives on the GPU in the model's weight store, stored as the model's weights are
 * (float16 halves it: 1.86 GiB at k = 10,000), and inversion computes θ and ∂L/∂c inside its gradient graph.
 * On wasm the products stay JS loops (V_k would be copied into the 4 GiB wasm heap).
 */
async function attachProjector(storage: BasisStorage = sd?.precision.storage === 'float16' ? 'float16' : 'float32'): Promise<void> {
  if (!space || !sd || probe?.provider !== 'webgpu') return;
  await space.useRuntime(sd.runtime, { storage });
}

/** Where the basis products run, for the inversion's notes. */
function basisNote(): string {
  const p = space?.projector;
  if (!space) return '';
  const gib = (s: BasisStorage) => formatBytes(basisBytes(space!.size, space!.k, s));
  return p
    ? `V_k (k = ${space.k}) on the GPU as ${p.storage} (${gib(p.storage)}): θ and ∂L/∂c are computed inside the gradient graph`
    : `V_k (k = ${space.k}, ${gib('float32')}) in main memory: θ and ∂L/∂c are JS loops on the CPU (seconds per step at k = 10,000)`;
}

/**
 * After V_k did not fit in GPU memory: float16 where it was float32 and the adapter has shader-f16, else the
 * products move to the CPU. Returns what changed, or undefined when nothing is left to try.
 */
async function basisFallback(): Promise<string | undefined> {
  const p = space?.projector;
  if (!space || !p) return undefined;
  if (p.storage === 'float32' && probe?.shaderF16) {
    await attachProjector('float16');
    return `V_k did not fit in GPU memory as float32; it is kept as float16 now (θ within ~6e-5 of float32). ${basisNote()}`;
  }
  await space.detachProjector();
  return `V_k did not fit in GPU memory; ${basisNote()}. Fewer components fit and run faster.`;
}

/** The engine's weight precision for the page's choice. */
const precisionOf = (p: PrecisionName): Precision => (p === 'fp16' ? { compute: 'float16', storage: 'float16' } : FP32);
/** A runtime for a model whose graphs are only measured (estimate): it never creates a session. */
const NO_SESSIONS = { createSession: () => Promise.reject(new Error('estimate only: no sessions')) };

const hubSource = (s: ModelSource) => {
  if (s.kind !== 'hub') throw new Error('downloads need a hub or mirror source; a local folder is read in place');
  return s;
};

/** The cache of a hub source: by repo and revision, so the hub and any mirror of it share the files. */
const cacheOf = (s: ModelSource) => ModelCache.open(hubSource(s).repo, REVISION);

async function planFor(s: ModelSource, variant?: string): Promise<DownloadPlan> {
  const files = await (await cacheOf(s)).plan(remoteFiles(hubSource(s), modelFiles(variant)));
  return { files, variant, total: files.reduce((a, f) => a + f.size, 0), cached: files.reduce((a, f) => a + f.cached, 0) };
}

const api = {
  async capabilities(force?: Provider): Promise<Capabilities> {
    probe = await probeBackend(force);
    return { ...probe, ...(await wasmSettings()) };
  },

  /** Sizes of the files to fetch; with fp16 the repo's *.fp16.safetensors variant when it has one. */
  async plan(s: ModelSource, precision: PrecisionName): Promise<DownloadPlan> {
    if (precision === 'fp16') {
      try {
        return await planFor(s, 'fp16');
      } catch (e) {
        if (!(e instanceof MissingFileError)) throw e;
      }
    }
    return planFor(s);
  },

  /**
   * What a hub model needs, before downloading it: its configs and the weight files' headers (Range requests,
   * a few hundred kB), graphs built but not run. With the verdict for this browser's backend.
   */
  async estimate(s: ModelSource, precision: PrecisionName, variant: string | undefined): Promise<{ needs: MemoryNeeds; verdict: Verdict }> {
    probe ??= await probeBackend();
    const model = await StableDiffusion.load(folderFromUrl(describeSource(hubSource(s))), NO_SESSIONS, { precision: precisionOf(precision), variant });
    const needs = await memoryNeeds(model, { size: model.defaultImageSize, k: DEFAULT_K });
    return { needs, verdict: verdict(needs, probe) };
  },

  async download(s: ModelSource, plan: DownloadPlan, onProgress: (p: FileProgress) => void): Promise<void> {
    const cache = await cacheOf(s);
    download?.abort();
    const controller = (download = new AbortController());
    // Storage that is not persistent may be memory (an off-the-record profile) whose quota estimate is no promise.
    const needed = plan.total - plan.cached;
    if (needed >= probeThreshold() && !(await navigator.storage.persisted().catch(() => false))) await probeStorage(needed, testHandleWrapper());
    await cache.download(plan.files, { onProgress, signal: controller.signal, wrapHandle: testHandleWrapper() });
  },

  /** A fully cached variant of a hub source ('' = the plain weights), or null: then it loads without network. */
  async cachedVariant(s: ModelSource, precision: PrecisionName): Promise<string | null> {
    const cache = await cacheOf(s);
    for (const v of precision === 'fp16' ? ['fp16', ''] : ['']) if (cache.has(modelFiles(v || undefined))) return v;
    return null;
  },

  async load(s: ModelSource, precision: PrecisionName, variant?: string): Promise<ModelInfo> {
    await sd?.release();
    sd = undefined;
    probe ??= await probeBackend();
    let files: Map<string, File>;
    if (s.kind === 'hub') {
      const paths = modelFiles(variant);
      files = await (await cacheOf(s)).files(paths);
      const missing = paths.filter((p) => !files.has(p));
      if (missing.length) throw new Error(`not downloaded yet: ${missing.join(', ')}`);
    } else {
      files = s.files;
      const folder = folderFromFiles(files, s.name);
      const missing = [];
      for (const p of modelFiles()) if (!(await folder.has!(p))) missing.push(p);
      if (missing.length) throw new MissingFileError(`the folder ${s.name} lacks ${missing.join(', ')}`);
    }
    const provider = probe.provider;
    // On WebGPU every session of the model reads one GPU copy of each weight; wasm keeps initializers (its
    // inputs would be copied into the wasm heap on every run).
    const weights = provider === 'webgpu' ? await createGpuWeights() : undefined;
    const createSession = async (g: Parameters<typeof createWebSession>[0]) => {
      const session = await createWebSession(g, { provider, weights });
      // The device exists once the first WebGPU session does.
      if (provider === 'webgpu') await watchDevice();
      return session;
    };
    sd = await StableDiffusion.load(
      folderFromFiles(files, describeSource(s)),
      { createSession, release: async () => weights?.release(), forget: async (source) => weights?.forget(source) },
      {
        precision: precisionOf(precision),
        maxSessions: provider === 'webgpu' ? MAX_WEBGPU_SESSIONS : undefined,
        onSession: (e) => notifySessions?.(e),
      },
    );
    // From the weight headers alone, before any session: a model that cannot fit is refused with what would
    // (wasm would otherwise fail in session creation with a bare "std::bad_alloc").
    const needs = await memoryNeeds(sd, { size: sd.defaultImageSize, k: DEFAULT_K });
    const fits = verdict(needs, probe);
    if (!fits.ok) {
      await sd.release();
      sd = undefined;
      throw new Error(fits.notes.join(' '));
    }
    await attachProjector();
    info = {
      source: describeSource(s), provider, precision, loraSize: sd.loraSize, defaultSize: sd.defaultImageSize,
      sizeMultiple: sd.sizeMultiple, layout: sd.lora, scheduler: String(sd.schedulerConfig._class_name ?? 'PNDMScheduler'),
      needs, verdict: fits,
    };
    return info;
  },

  /** A new generation replaces (cancels) a running one. */
  async generate(p: GenerateParams, onStep?: (s: StepPreview) => void): Promise<GenerateOutput> {
    const model = context.sd();
    return jobs.run('generation', async (signal) => {
      const t0 = performance.now();
      const { image } = await generate(model, {
        ...p,
        signal,
        onStep: onStep
          ? async ({ step, total, timestep, latents }) => onStep({ step, total, timestep, png: await encodePng(latentPreview(latents)) })
          : undefined,
      });
      const rgba = tensorToRgba(image);
      return { png: await encodePng(rgba), width: rgba.width, height: rgba.height, ms: Math.round(performance.now() - t0) };
    }, { replace: true });
  },

  /** The space worker's basis (shared memory), or null once the space is cleared. */
  async setSpace(data: SpaceData | null): Promise<void> {
    await space?.detachProjector();
    space = data ? new Space(data) : undefined;
    await attachProjector();
  },

  /** Cancels the device's running job of `kind`; without one, whatever runs, downloads included. */
  cancel(kind?: JobKind): void {
    jobs.cancel(kind);
    if (!kind) download?.abort();
  },

  /** `cb` hears every session build of the loaded model (start and end). */
  watchSessions(cb: (e: SessionEvent) => void): void {
    notifySessions = cb;
  },

  async cacheUsage(): Promise<{ key: string; bytes: number }[]> {
    return ModelCache.usage();
  },

  /** Deletes the cached files of `s`'s repo (at the revision downloads use); the model is unloaded. */
  async clearCache(s: ModelSource): Promise<void> {
    download?.abort();
    jobs.cancel();
    await sd?.release();
    sd = undefined;
    await ModelCache.clear({ repo: hubSource(s).repo, revision: REVISION });
  },
};

// Inversion and pullback directions (workers/invert.ts, workers/directions.ts) use the same model and space.
const context: InversionContext = {
  sd: () => sd ?? raise(deviceLost() ? `${DEVICE_LOST} (${deviceLost()}): the engine is being restarted` : 'no model loaded'),
  space: () => space ?? raise('no w2w space loaded: import one on the Create screen first'),
  jobs,
  basisNote,
  basisFallback,
};
const raise = (msg: string): never => {
  throw new Error(msg);
};
// The sessions on a lost device are dead: forget them now, release them once no call is using them.
onDeviceLost(() => {
  const old = sd;
  sd = undefined;
  whenIdle(() => void old?.release().catch(() => undefined));
});
const engineApi = guardDeviceLoss({ ...api, ...invertApi(context), ...faceApi(context), ...directionsApi(context), ...deviceApi, ...testHooksApi });

export type EngineApi = typeof engineApi;
Comlink.expose(engineApi);
