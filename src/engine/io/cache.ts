// Browser download cache for model files: each remote file is streamed into the Origin Private File
// System (OPFS) next to a small manifest (size, ETag), so an interrupted download resumes with a Range
// request and a finished one is read back as a File (sliced lazily, never loaded whole). Needs a
// dedicated worker (synchronous access handles); the engine worker owns it.
import { openSafetensors } from './safetensors';
import { fromBlob, MissingFileError } from './source';

export interface RemoteFile {
  /** Relative path inside the folder, e.g. "unet/config.json". */
  path: string;
  url: string;
}

export interface PlannedFile extends RemoteFile {
  size: number;
  etag?: string;
  /** Bytes already in the cache (equal to size when complete). */
  cached: number;
}

export interface FileProgress {
  path: string;
  loaded: number;
  total: number;
  /** Moving average over the last seconds of this file's transfer. */
  bytesPerSecond: number;
  /** Seconds left for this file at the current speed; null when unknown. */
  eta: number | null;
  state: 'waiting' | 'downloading' | 'checking' | 'done' | 'error';
  error?: string;
}

export interface DownloadOptions {
  fetch?: typeof fetch;
  onProgress?: (p: FileProgress) => void;
  signal?: AbortSignal;
}

interface Manifest {
  files: Record<string, { size: number; etag?: string; complete: boolean }>;
}

const ROOT = 'w2w-models';
const MANIFEST = '.manifest.json';
const PROGRESS_MS = 150;

/** A cache directory name for a source (hub base + repo): readable, and safe as one OPFS entry name. */
export const cacheKey = (source: string): string => source.replace(/^https?:\/\//, '').replace(/[^\w.@-]+/g, '_').slice(0, 200);

async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('this browser has no Origin Private File System (navigator.storage.getDirectory) to cache models in');
  return (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
}

export class ModelCache {
  private constructor(
    private readonly dir: FileSystemDirectoryHandle,
    private manifest: Manifest,
    readonly key: string,
  ) {}

  static async open(source: string): Promise<ModelCache> {
    const key = cacheKey(source);
    const dir = await (await opfsRoot()).getDirectoryHandle(key, { create: true });
    let manifest: Manifest = { files: {} };
    try {
      const text = await (await (await dir.getFileHandle(MANIFEST)).getFile()).text();
      manifest = JSON.parse(text) as Manifest;
    } catch {
      // No manifest yet (or an unreadable one): everything is downloaded afresh.
    }
    return new ModelCache(dir, manifest, key);
  }

  /** Sizes (HEAD) of every file, and how much of each is cached already. A missing file names itself. */
  async plan(files: readonly RemoteFile[], opts: { fetch?: typeof fetch } = {}): Promise<PlannedFile[]> {
    const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    return Promise.all(
      files.map(async (f) => {
        const { size, etag } = await remoteSize(f, doFetch);
        const known = this.manifest.files[f.path];
        const same = known && known.size === size && (!etag || !known.etag || known.etag === etag);
        const cached = same ? (known.complete ? size : await this.partSize(f.path)) : 0;
        return { ...f, size, etag, cached: Math.min(cached, size) };
      }),
    );
  }

  /** Downloads what is not cached yet, one file at a time, then checks each file's size and header. */
  async download(plan: readonly PlannedFile[], opts: DownloadOptions = {}): Promise<Map<string, File>> {
    const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    for (const f of plan) opts.onProgress?.({ path: f.path, loaded: f.cached, total: f.size, bytesPerSecond: 0, eta: null, state: f.cached === f.size ? 'done' : 'waiting' });
    for (const f of plan) {
      if (this.manifest.files[f.path]?.complete && f.cached === f.size) continue;
      // A corrupt file is fetched once more from scratch before giving up.
      for (let attempt = 0; ; attempt++) {
        try {
          await this.fetchInto(f, attempt === 0 ? f.cached : 0, doFetch, opts);
          opts.onProgress?.({ path: f.path, loaded: f.size, total: f.size, bytesPerSecond: 0, eta: 0, state: 'checking' });
          await checkFile(f.path, await this.file(f.path), f.size);
          this.manifest.files[f.path] = { size: f.size, etag: f.etag, complete: true };
          await this.saveManifest();
          opts.onProgress?.({ path: f.path, loaded: f.size, total: f.size, bytesPerSecond: 0, eta: 0, state: 'done' });
          break;
        } catch (e) {
          if (opts.signal?.aborted || !(e instanceof CorruptFileError) || attempt > 0) {
            opts.onProgress?.({ path: f.path, loaded: 0, total: f.size, bytesPerSecond: 0, eta: null, state: 'error', error: (e as Error).message });
            throw e;
          }
          delete this.manifest.files[f.path];
          await this.saveManifest();
        }
      }
    }
    return this.files(plan.map((f) => f.path));
  }

  /** The complete cached files among `paths`, as Files keyed by path. */
  async files(paths: readonly string[]): Promise<Map<string, File>> {
    const out = new Map<string, File>();
    for (const p of paths) if (this.manifest.files[p]?.complete) out.set(p, await this.file(p));
    return out;
  }

  /** Whether every path is cached complete (a reload then needs no network for the model). */
  has(paths: readonly string[]): boolean {
    return paths.every((p) => this.manifest.files[p]?.complete);
  }

  private async fetchInto(f: PlannedFile, from: number, doFetch: typeof fetch, opts: DownloadOptions): Promise<void> {
    const headers: Record<string, string> = from > 0 ? { Range: `bytes=${from}-`, ...(f.etag ? { 'If-Range': f.etag } : {}) } : {};
    let res: Response;
    try {
      res = await doFetch(f.url, { headers, signal: opts.signal });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new Error(`network error downloading ${f.path} from ${f.url}: ${(e as Error).message}; retry to resume`);
    }
    if (res.status === 404) throw new MissingFileError(`missing file: ${f.path} (${f.url} answered 404)`);
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} downloading ${f.path} from ${f.url}`);
    // 200 to a Range request: the server restarts from byte 0 (no Range support, or the file changed).
    const start = res.status === 206 ? from : 0;
    this.manifest.files[f.path] = { size: f.size, etag: f.etag, complete: false };
    await this.saveManifest();
    const handle = await (await this.fileHandle(f.path, true)).createSyncAccessHandle();
    try {
      handle.truncate(start);
      let at = start;
      const meter = new SpeedMeter();
      let last = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (at + value.length > f.size) throw new CorruptFileError(`${f.path}: the server sent more than the announced ${f.size} bytes`);
        handle.write(value, { at });
        at += value.length;
        meter.add(value.length);
        const now = performance.now();
        if (now - last > PROGRESS_MS) {
          last = now;
          const bps = meter.rate();
          opts.onProgress?.({ path: f.path, loaded: at, total: f.size, bytesPerSecond: bps, eta: bps > 0 ? (f.size - at) / bps : null, state: 'downloading' });
        }
      }
      handle.flush();
      if (at !== f.size) throw new Error(`download of ${f.path} stopped at byte ${at} of ${f.size}; retry to resume`);
    } finally {
      handle.close();
    }
  }

  private async partSize(path: string): Promise<number> {
    try {
      return (await this.file(path)).size;
    } catch {
      return 0;
    }
  }

  private async file(path: string): Promise<File> {
    return (await this.fileHandle(path, false)).getFile();
  }

  private async fileHandle(path: string, create: boolean): Promise<FileSystemFileHandle> {
    const parts = path.split('/');
    let d = this.dir;
    for (const p of parts.slice(0, -1)) d = await d.getDirectoryHandle(p, { create });
    return d.getFileHandle(parts[parts.length - 1], { create });
  }

  private async saveManifest(): Promise<void> {
    const w = await (await this.dir.getFileHandle(MANIFEST, { create: true })).createWritable();
    await w.write(JSON.stringify(this.manifest));
    await w.close();
  }

  /** Every cached source with its bytes on disk. */
  static async usage(): Promise<{ key: string; bytes: number }[]> {
    const root = await opfsRoot();
    const out: { key: string; bytes: number }[] = [];
    for await (const [key, h] of entries(root)) if (h.kind === 'directory') out.push({ key, bytes: await dirBytes(h as FileSystemDirectoryHandle) });
    return out;
  }

  /** Deletes every cached model file (or one source's). */
  static async clear(source?: string): Promise<void> {
    const root = await opfsRoot();
    const keys = source === undefined ? [] : [cacheKey(source)];
    if (source === undefined) for await (const [key] of entries(root)) keys.push(key);
    for (const k of keys) await root.removeEntry(k, { recursive: true }).catch(() => {});
  }
}

/** A file whose bytes are not what its name promises; downloads retry it once from scratch. */
export class CorruptFileError extends Error {
  override name = 'CorruptFileError';
}

/** Size and header checks: JSON parses, safetensors headers are valid and cover the file. */
export async function checkFile(path: string, file: Blob, size: number): Promise<void> {
  if (file.size !== size) throw new CorruptFileError(`${path}: ${file.size} bytes cached, the server announced ${size}`);
  try {
    if (path.endsWith('.json')) JSON.parse(await file.text());
    else if (path.endsWith('.safetensors')) await openSafetensors(fromBlob(file, path));
  } catch (e) {
    throw new CorruptFileError(`${path} is corrupt: ${(e as Error).message}`);
  }
}

async function remoteSize(f: RemoteFile, doFetch: typeof fetch): Promise<{ size: number; etag?: string }> {
  let res: Response;
  try {
    res = await doFetch(f.url, { method: 'HEAD' });
  } catch (e) {
    throw new Error(`network error reaching ${f.url}: ${(e as Error).message}`);
  }
  if (res.status === 404) throw new MissingFileError(`missing file: ${f.path} (${f.url} answered 404)`);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${f.url}`);
  // The hub answers LFS files with a redirect; X-Linked-Size is the file's size when the final hop hides it.
  const size = Number(res.headers.get('x-linked-size') ?? res.headers.get('content-length') ?? NaN);
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`cannot learn the size of ${f.path}: ${f.url} sent no Content-Length`);
  const etag = res.headers.get('x-linked-etag') ?? res.headers.get('etag') ?? undefined;
  return { size, etag };
}

class SpeedMeter {
  private samples: [number, number][] = [];
  add(bytes: number): void {
    const now = performance.now();
    this.samples.push([now, bytes]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 3000) this.samples.shift();
  }
  rate(): number {
    if (this.samples.length < 2) return 0;
    const dt = (this.samples[this.samples.length - 1][0] - this.samples[0][0]) / 1000;
    const bytes = this.samples.slice(1).reduce((s, [, b]) => s + b, 0);
    return dt > 0 ? bytes / dt : 0;
  }
}

function entries(dir: FileSystemDirectoryHandle): AsyncIterable<[string, FileSystemHandle]> {
  return (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
}

async function dirBytes(dir: FileSystemDirectoryHandle): Promise<number> {
  let n = 0;
  for await (const [, h] of entries(dir))
    n += h.kind === 'file' ? (await (h as FileSystemFileHandle).getFile()).size : await dirBytes(h as FileSystemDirectoryHandle);
  return n;
}
