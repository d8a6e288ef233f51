// Browser entry to the runtime (main thread or Web Worker): onnxruntime-web's native WebGPU build, whose
// wasm also carries the CPU ('wasm') provider. It is imported on first use, which keeps it in a chunk of
// its own: onnxruntime starts its wasm threads as module workers on that chunk's URL, and a chunk shared
// with app code would run the app again in every thread.
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { Graph } from '../graph/ir';
import { GpuWeights, type GpuDeviceForWeights } from './gpu-weights';
import { EngineSession, type OrtModule, type SessionOptions } from './session';

export type Provider = 'webgpu' | 'wasm';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

export interface BackendProbe {
  provider: Provider;
  /** Why WebGPU is not used; set whenever provider is 'wasm'. */
  reason?: string;
  adapterInfo?: AdapterInfo;
  /** fp16 arithmetic in shaders; without it only fp32 models can run on WebGPU. */
  shaderF16: boolean;
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
}

// The few WebGPU members used here (TypeScript's DOM library has no WebGPU types).
interface GpuAdapterLike {
  readonly info?: Partial<AdapterInfo>;
  readonly isFallbackAdapter?: boolean;
  readonly features: { has(name: string): boolean };
  readonly limits: { readonly maxBufferSize: number; readonly maxStorageBufferBindingSize: number };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/** The provider named by a `?backend=` query value; null/empty means "choose by probing". */
export function parseProvider(value: string | null | undefined): Provider | undefined {
  if (!value) return undefined;
  if (value === 'webgpu' || value === 'wasm') return value;
  throw new Error(`unknown backend ${JSON.stringify(value)}: expected "webgpu" or "wasm"`);
}

/**
 * Which provider to run on: WebGPU when an adapter is available, else wasm with the reason. `force`
 * 'wasm' skips WebGPU (the adapter is still described); `force` 'webgpu' throws when it is unavailable
 * rather than silently running elsewhere.
 */
export async function probeBackend(force?: Provider): Promise<BackendProbe> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  let adapter: GpuAdapterLike | null = null;
  let reason: string | undefined;
  if (!gpu) {
    reason = globalThis.isSecureContext
      ? 'navigator.gpu missing: this browser has no WebGPU, or it is disabled'
      : 'navigator.gpu missing: WebGPU needs a secure context (https or localhost)';
  } else {
    try {
      adapter = await gpu.requestAdapter();
      if (!adapter) reason = 'no adapter: navigator.gpu.requestAdapter() returned null (no usable GPU, or WebGPU blocked)';
    } catch (e) {
      reason = `no adapter: navigator.gpu.requestAdapter() failed (${(e as Error).message})`;
    }
  }
  if (force === 'webgpu' && !adapter) throw new Error(`WebGPU was requested but is unavailable: ${reason}`);
  const provider: Provider = force ?? (adapter ? 'webgpu' : 'wasm');
  const probe: BackendProbe = { provider, shaderF16: adapter?.features.has('shader-f16') ?? false };
  if (provider === 'wasm') probe.reason = force === 'wasm' ? 'wasm requested' : reason;
  if (adapter) {
    const i = adapter.info ?? {};
    probe.adapterInfo = {
      vendor: i.vendor ?? '',
      architecture: i.architecture ?? '',
      device: i.device ?? '',
      description: i.description ?? '',
      isFallbackAdapter: i.isFallbackAdapter ?? adapter.isFallbackAdapter,
    };
    probe.maxBufferSize = adapter.limits.maxBufferSize;
    probe.maxStorageBufferBindingSize = adapter.limits.maxStorageBufferBindingSize;
  }
  return probe;
}

type OrtWeb = typeof import('onnxruntime-web/webgpu');
let loading: Promise<OrtWeb> | undefined;

/** onnxruntime-web, configured once before its first session. */
export function loadOrt(): Promise<OrtWeb> {
  loading ??= import('onnxruntime-web/webgpu').then((ort) => {
    // The wasm as Vite emitted it (hashed, under the build's base), in the main thread and worker alike.
    ort.env.wasm.wasmPaths = { wasm: wasmUrl };
    // Threads need SharedArrayBuffer, i.e. a cross-origin isolated page (COOP/COEP headers); onnxruntime's
    // own default takes half the cores, which leaves a 2-core machine single-threaded.
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(8, navigator.hardwareConcurrency || 1) : 1;
    // Placement notes ("some nodes were not assigned to the preferred provider": shape ops on CPU, by
    // design) arrive as console errors otherwise; real failures still reject the session promise.
    ort.env.logLevel = 'error';
    return ort;
  });
  return loading;
}

/** Runtime facts worth reporting next to results. */
export async function wasmSettings(): Promise<{ crossOriginIsolated: boolean; numThreads: number }> {
  const ort = await loadOrt();
  return { crossOriginIsolated: globalThis.crossOriginIsolated === true, numThreads: ort.env.wasm.numThreads ?? 1 };
}

/** The part of a GPUDevice watched for loss. */
export interface GpuDeviceLike {
  readonly lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
}

/**
 * The GPUDevice onnxruntime-web's WebGPU sessions run on (it creates its own with the first WebGPU session);
 * undefined before that session exists. Not to be called earlier: a JSEP build would create a device.
 */
export async function webgpuDevice(): Promise<GpuDeviceLike | undefined> {
  const ort = await loadOrt();
  return (await (ort.env.webgpu.device as unknown as Promise<GpuDeviceLike | undefined>)) ?? undefined;
}

export async function createWebSession(
  graph: Graph,
  opts: Omit<SessionOptions, 'executionProviders'> & { provider: Provider },
): Promise<EngineSession> {
  const { provider, ...rest } = opts;
  const ort = await loadOrt();
  try {
    return await EngineSession.create(ort as unknown as OrtModule, graph, {
      ...rest,
      executionProviders: [provider],
      ortOptions: { logSeverityLevel: 3, ...rest.ortOptions },
    });
  } catch (e) {
    // onnxruntime reports an allocation failure as "ERROR_CODE: 6 … std::bad_alloc".
    if (/bad_alloc|out of memory/i.test((e as Error).message))
      throw new Error(`out of memory creating the ${graph.name} session on ${provider}: the model is too large for this backend (${(e as Error).message})`);
    throw e;
  }
}

/**
 * A store holding each weight once on the GPU for every WebGPU session of a model (pass it as `weights`).
 * Weights upload when a run first needs them, on the device the first session created.
 */
export async function createGpuWeights(): Promise<GpuWeights> {
  const ort = await loadOrt();
  return new GpuWeights(ort as unknown as ConstructorParameters<typeof GpuWeights>[0], async () => {
    const device = await webgpuDevice();
    if (!device) throw new Error('no WebGPU device yet: weights are bound to a run, after a WebGPU session exists');
    return device as unknown as GpuDeviceForWeights;
  });
}
