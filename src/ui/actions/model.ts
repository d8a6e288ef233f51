// First run: capabilities, download plan, download with progress, load; or a local folder.
import type { FileProgress } from '../../engine/io/cache';
import type { ModelSource, PrecisionName } from '../../../workers/protocol';
import { autoPrecision, forcedBackend, saveSources, type Sources } from '../config';
import { formatBytes } from '../format';
import { getApp, setApp, setGen } from '../store';
import { Comlink, engineWorker } from '../workers';
import { restoreSpace } from './space';

const message = (e: unknown) => (e as Error)?.message ?? String(e);

export async function checkCapabilities(): Promise<void> {
  try {
    const caps = await engineWorker().capabilities(forcedBackend());
    setApp({ caps });
  } catch (e) {
    setApp({ capsError: message(e) });
  }
  await refreshStorage();
}

export async function refreshStorage(): Promise<void> {
  const s = navigator.storage;
  if (!s?.estimate) return;
  const [{ usage, quota }, persisted] = await Promise.all([s.estimate(), s.persisted?.() ?? Promise.resolve(undefined)]);
  setApp({ storage: { usage, quota, persisted } });
}

/** fp16 halves weights (1.7 GB UNet instead of 3.4 GB) and needs shader-f16; fp32 otherwise. */
export function resolvePrecision(): PrecisionName {
  const { precision, caps } = getApp();
  if (precision !== 'auto') return precision;
  return caps ? autoPrecision(caps) : 'fp32';
}

export const hubSource = (s: Sources): ModelSource => ({ kind: 'hub', hub: s.hub, repo: s.model });

export function setSources(sources: Sources): void {
  saveSources(sources);
  setApp({ sources, phase: 'idle', plan: undefined, progress: {}, modelError: undefined, estimate: undefined, estimateError: undefined });
}

/** A model already cached loads right away, without network; otherwise the sizes of what is to download. */
export async function planDownload(): Promise<void> {
  setApp({ phase: 'planning', modelError: undefined, progress: {} });
  try {
    const source = hubSource(getApp().sources);
    const cached = await engineWorker().cachedVariant(source, resolvePrecision());
    if (cached !== null) {
      setApp({ variant: cached || undefined });
      return await loadModel();
    }
    const plan = await engineWorker().plan(source, resolvePrecision());
    setApp({ plan, variant: plan.variant, phase: 'planned' });
  } catch (e) {
    setApp({ phase: 'error', modelError: message(e) });
  }
}

export async function startDownload(): Promise<void> {
  const { plan, sources } = getApp();
  if (!plan) return;
  setApp({ modelError: undefined, downloadNote: undefined });
  // Asked before the large write: a persistent origin is not evicted under storage pressure.
  await navigator.storage?.persist?.().catch(() => false);
  await refreshStorage();
  const { usage, quota } = getApp().storage;
  const needed = plan.total - plan.cached;
  if (quota !== undefined && usage !== undefined && needed > quota - usage) {
    setApp({
      phase: 'error',
      modelError: `not enough storage: the model needs ${formatBytes(needed)} more, the browser allows ${formatBytes(Math.max(0, quota - usage))}; clear the model cache or other site data, allow persistent storage, or use a normal (not private) browser profile, and retry`,
    });
    return;
  }
  setApp({ phase: 'downloading' });
  try {
    await engineWorker().download(
      hubSource(sources),
      plan,
      Comlink.proxy((p: FileProgress) => setApp((s) => ({ progress: { ...s.progress, [p.path]: p } }))),
    );
    await refreshStorage();
    await loadModel();
  } catch (e) {
    if (stopping) return afterStop();
    setApp({ phase: 'error', modelError: message(e) });
  }
}

// Set while the user stops a download: its abort is then no error.
let stopping: 'pause' | 'cancel' | undefined;

/**
 * Stops the download. Pause keeps every verified byte (the next Download resumes from there with Range);
 * cancel deletes what was written.
 */
export async function stopDownload(how: 'pause' | 'cancel'): Promise<void> {
  if (getApp().phase !== 'downloading') return;
  stopping = how;
  await engineWorker().cancel();
}

async function afterStop(): Promise<void> {
  const how = stopping;
  stopping = undefined;
  if (how === 'cancel') await engineWorker().clearCache(hubSource(getApp().sources));
  await refreshStorage();
  await planDownload();
  setApp({ downloadNote: how === 'pause' ? 'paused: the bytes downloaded so far are kept and checked; Download continues from there' : 'cancelled: the partial files were deleted' });
}

// What the engine worker loaded last, to load it again in a fresh worker (after a lost GPU device).
let loaded: { source: ModelSource; precision: PrecisionName; variant?: string } | undefined;

export async function loadModel(source?: ModelSource): Promise<void> {
  setApp({ phase: 'loading', modelError: undefined });
  try {
    const args = { source: source ?? hubSource(getApp().sources), precision: resolvePrecision(), variant: getApp().variant };
    const model = await engineWorker().load(args.source, args.precision, args.variant);
    loaded = args;
    setApp({ model, phase: 'ready', tab: 'create' });
    const size = Math.min(getApp().gen.width, model.defaultSize);
    setGen({ width: size, height: size });
    await restoreSpace();
  } catch (e) {
    setApp({ phase: 'error', modelError: message(e) });
  }
}

/** The last loaded model again, in a fresh engine worker (same backend choice, same files from the cache). */
export async function reopenModel(): Promise<void> {
  if (!loaded) return;
  await engineWorker().capabilities(forcedBackend());
  setApp({ model: await engineWorker().load(loaded.source, loaded.precision, loaded.variant) });
}

/** A diffusers folder the user dropped or picked, read in place (not cached). */
export async function useLocalFolder(files: Map<string, File>, name: string): Promise<void> {
  await loadModel({ kind: 'files', name, files });
}

/** Deletes the current model's cached files (other models' caches stay). */
export async function clearModelCache(): Promise<void> {
  await engineWorker().clearCache(hubSource(getApp().sources));
  setApp({ phase: 'idle', plan: undefined, progress: {}, model: undefined, tab: 'models' });
  await refreshStorage();
}

/** After a failure: sizes again (partial files count as cached), then resume what is missing. */
export async function retry(): Promise<void> {
  await planDownload();
  if (getApp().phase === 'planned') await startDownload();
}
