// Browser download cache for model files: each remote file is streamed into the Origin Private File
// System (OPFS) next to a small manifest, so an interrupted download resumes with a Range request and a
// finished one is read back as a File (sliced lazily, never loaded whole). Every write's count is checked
// (checked-write.ts) and every file is hashed while it streams (SHA-256, its state kept in the manifest with
// the bytes verified so far), so a resume continues from a prefix known to be on disk and a file is marked
// complete only once its size, its header and, where the server names one, its SHA-256 agree. Directories
// are keyed by repo and revision, not by the server: the hub and a mirror share one copy. Needs a dedicated
// worker (synchronous access handles); the engine worker owns it.
import { writeAll, type SyncHandle } from './checked-write';
import { openSafetensors } from './safetensors';
import { isSha256Hex, Sha256, type Sha256State } from './sha256';
import { fromBlob, MissingFileError } from './source';

export interface RemoteFile {
  /** Relative path inside the folder, e.g. "unet/config.json". */
  path: string;
  url: string;
}

export interface PlannedFile extends RemoteFile {
  size: number;
  etag?: string;
  /** The content's SHA-256 (hex) when the server names it (the hub does for LFS files); else size and header checks only. */
  sha256?: string;
  /** Bytes already in the cache and verified (equal to size when complete). */
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
  /** Once done: the SHA-256 the file was verified against, absent when only size and header were checked. */
  sha256?: string;
  error?: string;
}

export interface DownloadOptions {
  fetch?: typeof fetch;
  onProgress?: (p: FileProgress) => void;
  signal?: AbortSignal;
  /** Wraps the cache's file handles (test hooks simulate a storage that takes short writes). */
  wrapHandle?: (h: SyncHandle) => SyncHandle;
}

interface Entry {
  size: number;
  /** What the server announced; a partial file resumes only against the same hash (or, without one, the same ETag). */
  sha256?: string;
  etag?: string;
  complete: boolean;
  /** Bytes on disk written with full counts and absorbed by `hash`; a resume truncates to it. */
  verified: number;
  /** SHA-256 state over the first `verified` bytes (partial files). */
  hash?: Sha256State;
  /** The SHA-256 of the complete file, computed while it was written. */
  digest?: string;
}

interface Manifest {
  files: Record<string, Entry>;
}

const ROOT = 'w2w-models';
const MANIFEST = '.manifest.json';
const PROGRESS_MS = 150;
/** A resumable point (flush + manifest) at least this often: a crash loses at most this much. */
const CHECKPOINT_BYTES = 64 * 2 ** 20;

/** The cache directory of a repo at a revision (e.g. "models--owner--name@main"); the server is not part of it. */
const KEY_PREFIX = 'models--';

export const cacheKey = (repo: string, revision: string): string =>
  `${KEY_PREFIX}${repo.replace(/^\/+|\/+$/g, '').replace(/\//g, '--')}@${revision}`.replace(/[^\w.@-]+/g, '_').slice(0, 200);

/** The OPFS directory every model cache lives in. */
export async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  if (!navigator.storage?.getDirectory) throw new Error('this browser has no Origin Private File System (navigator.storage.getDirectory) to cache models in');
  return (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
}

export class ModelCache {
  private constructor(
    private readonly dir: FileSystemDirectoryHandle,
    private manifest: Manifest,
    readonly key: string,
  ) {}

  /** The cache of one repo at one revision, whichever server it is downloaded from. */
  static async open(repo: string, revision: string): Promise<ModelCache> {
    const key = cacheKey(repo, revision);
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

  /** Sizes and hashes (HEAD) of every file, and how much of each is cached and verified. A missing file names itself. */
  async plan(files: readonly RemoteFile[], opts: { fetch?: typeof fetch } = {}): Promise<PlannedFile[]> {
    const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    return Promise.all(
      files.map(async (f) => {
        const head = await remoteHead(f, doFetch);
        return { ...f, ...head, cached: await this.usable(f.path, head) };
      }),
    );
  }

  /** Downloads what is not cached yet, one file at a time; each is checked (hash, size, header) before it counts. */
  async download(plan: readonly PlannedFile[], opts: DownloadOptions = {}): Promise<Map<string, File>> {
    const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    for (const f of plan) opts.onProgress?.({ path: f.path, loaded: f.cached, total: f.size, bytesPerSecond: 0, eta: null, state: f.cached === f.size ? 'done' : 'waiting', sha256: f.cached === f.size ? f.sha256 : undefined });
    for (const [i, f] of plan.entries()) {
      if (this.manifest.files[f.path]?.complete && f.cached === f.size) continue;
      // What the files after this one still need, for a "storage full" message.
      const later = plan.slice(i + 1).reduce((a, g) => a + g.size - g.cached, 0);
      // A corrupt file is fetched once more from scratch before giving up.
      for (let attempt = 0; ; attempt++) {
        try {
          const digest = await this.fetchInto(f, attempt === 0 ? f.cached : 0, later, doFetch, opts);
          opts.onProgress?.({ path: f.path, loaded: f.size, total: f.size, bytesPerSecond: 0, eta: 0, state: 'checking' });
          if (f.sha256 && digest !== f.sha256)
            throw new CorruptFileError(`${f.path} is corrupt: its SHA-256 is ${digest}, the server announced ${f.sha256}${attempt > 0 ? ' (downloaded twice)' : ''}`);
          await checkFile(f.path, await this.file(f.path), f.size);
          this.manifest.files[f.path] = { size: f.size, sha256: f.sha256, complete: true, verified: f.size, digest };
          await this.saveManifest();
          opts.onProgress?.({ path: f.path, loaded: f.size, total: f.size, bytesPerSecond: 0, eta: 0, state: 'done', sha256: f.sha256 });
          break;
        } catch (e) {
          // Bytes that failed a check are not kept: a retry starts that file over.
          if (e instanceof CorruptFileError) await this.forget(f.path);
          if (opts.signal?.aborted || !(e instanceof CorruptFileError) || attempt > 0) {
            const kept = this.manifest.files[f.path]?.verified ?? 0;
            opts.onProgress?.({ path: f.path, loaded: kept, total: f.size, bytesPerSecond: 0, eta: null, state: 'error', error: (e as Error).message });
            throw e;
          }
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

  /** Bytes of `path` the cache can keep for the remote file `head`: all when complete with the same content, a verified prefix of a partial one, else 0. */
  private async usable(path: string, head: { size: number; sha256?: string; etag?: string }): Promise<number> {
    const known = this.manifest.files[path];
    if (!known || known.size !== head.size) return 0;
    if (known.complete) return !head.sha256 || head.sha256 === known.digest ? head.size : 0;
    if (head.sha256 && known.sha256 ? head.sha256 !== known.sha256 : head.etag && known.etag && head.etag !== known.etag) return 0;
    // A part shorter than its record (storage evicted under pressure) starts over.
    return known.hash && (await this.partSize(path)) >= known.verified ? known.verified : 0;
  }

  /** Streams `f` from byte `from` (a verified prefix) into the cache; returns the SHA-256 of the whole file. */
  private async fetchInto(f: PlannedFile, from: number, later: number, doFetch: typeof fetch, opts: DownloadOptions): Promise<string> {
    const known = this.manifest.files[f.path];
    if (!known?.hash || known.hash.length !== from) from = 0;
    // Written to the end but not yet checked (interrupted between the two): nothing left to fetch.
    if (from > 0 && from === f.size) return new Sha256(known!.hash).hex();
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
    const hash = start > 0 ? new Sha256(known!.hash) : new Sha256();
    await this.checkpoint(f, start, hash);
    const raw = await (await this.fileHandle(f.path, true)).createSyncAccessHandle();
    const handle = opts.wrapHandle ? opts.wrapHandle(raw) : raw;
    let at = start;
    try {
      handle.truncate(start);
      let saved = start;
      const meter = new SpeedMeter();
      let last = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (at + value.length > f.size) throw new CorruptFileError(`${f.path}: the server sent more than the announced ${f.size} bytes`);
        writeAll(handle, value, at, f.path, f.size - at + later);
        hash.update(value);
        at += value.length;
        meter.add(value.length);
        if (at - saved >= CHECKPOINT_BYTES) {
          handle.flush();
          await this.checkpoint(f, at, hash);
          saved = at;
        }
        const now = performance.now();
        if (now - last > PROGRESS_MS) {
          last = now;
          const bps = meter.rate();
          opts.onProgress?.({ path: f.path, loaded: at, total: f.size, bytesPerSecond: bps, eta: bps > 0 ? (f.size - at) / bps : null, state: 'downloading' });
        }
      }
      handle.flush();
      if (at !== f.size) throw new Error(`download of ${f.path} stopped at byte ${at} of ${f.size}; retry to resume`);
      return hash.hex();
    } catch (e) {
      // Keep exactly the bytes written with full counts and hashed; whatever a failed write left beyond them goes.
      try {
        handle.truncate(at);
        handle.flush();
        await this.checkpoint(f, at, hash);
      } catch {
        // The manifest keeps its last checkpoint (a shorter verified prefix), which a resume truncates to.
      }
      throw e;
    } finally {
      handle.close();
    }
  }

  /** Records `at` bytes of `f` as verified with the hash state over them. */
  private async checkpoint(f: PlannedFile, at: number, hash: Sha256): Promise<void> {
    this.manifest.files[f.path] = { size: f.size, sha256: f.sha256, etag: f.etag, complete: false, verified: at, hash: hash.state() };
    await this.saveManifest();
  }

  /** Drops a file and its record (a corrupt download starts over from byte 0). */
  private async forget(path: string): Promise<void> {
    delete this.manifest.files[path];
    await this.saveManifest();
    const parts = path.split('/');
    let d = this.dir;
    try {
      for (const p of parts.slice(0, -1)) d = await d.getDirectoryHandle(p);
      await d.removeEntry(parts[parts.length - 1]);
    } catch {
      // Nothing on disk yet.
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

  /**
   * Deletes one repo's cached files at one revision, and caches in the layout of earlier versions (a directory per
   * server URL, never read any more); with no argument every cached model file.
   */
  static async clear(model?: { repo: string; revision: string }): Promise<void> {
    const root = await opfsRoot();
    const keys = model ? [cacheKey(model.repo, model.revision)] : [];
    for await (const [key] of entries(root)) if (!model || !key.startsWith(KEY_PREFIX)) keys.push(key);
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

/** The hub's ETags are quoted, sometimes weak (W/"…"). */
const unquote = (etag: string | null): string | undefined => etag?.replace(/^W\//, '').replace(/^"|"$/g, '') || undefined;

async function remoteHead(f: RemoteFile, doFetch: typeof fetch): Promise<{ size: number; etag?: string; sha256?: string }> {
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
  const linked = res.headers.get('x-linked-etag');
  const etag = res.headers.get('etag');
  // An LFS object's ETag is its SHA-256; a plain git file's is a blob SHA-1 (40 hex), which says nothing about the bytes.
  const sha256 = [unquote(linked), unquote(etag)].find(isSha256Hex)?.toLowerCase();
  return { size, etag: (linked ?? etag) || undefined, sha256 };
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
