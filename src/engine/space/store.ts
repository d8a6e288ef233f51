// The space persisted on a KeyValue (IndexedDB in the app) in chunks, so reloads skip the download.
// A store is complete or absent: chunks go under a fresh generation prefix and the manifest, written
// last, is what makes them visible; on any failure what was written is deleted (the previous generation,
// if any, stays intact) and a quota failure reports the bytes needed.
import { float32ToHalf, halfToFloat32 } from '../io/half';
import { formatBytes, isQuotaError, type KeyValue } from './kv';
import { Space, type SpaceData } from './space';

/** Bumped whenever the stored layout changes; older stores read as absent. */
export const STORE_VERSION = 1;
const CHUNK_BYTES = 8 * 1024 * 1024;
const ROOT = 'w2w-space/';

export interface StoredArray {
  readonly length: number;
  readonly dtype: 'f32' | 'f16';
  readonly chunks: number;
}

export interface SpaceManifest {
  readonly version: number;
  readonly id: string;
  readonly generation: string;
  readonly k: number;
  readonly components: number;
  readonly pcs: number;
  readonly columns: readonly string[];
  readonly arrays: Readonly<Record<string, StoredArray>>;
  readonly bytes: number;
  readonly savedAt: number;
}

export interface SaveOptions {
  /** Store V_k and proj as IEEE half (half the bytes; |error| ≲ 5e-4 relative per entry). */
  fp16?: boolean;
  onProgress?: (bytesWritten: number, bytesTotal: number) => void;
}

/** Thrown when the storage quota runs out; nothing of the new store is left behind. */
export class QuotaError extends Error {
  override name = 'QuotaError';
  constructor(readonly needed: number, cause: unknown) {
    super(`not enough browser storage to keep the space: it needs ${formatBytes(needed)} (${needed} bytes); nothing was kept (${(cause as Error)?.message ?? cause})`);
  }
}

const manifestKey = (id: string) => `${ROOT}${id}/manifest`;
const chunkKey = (id: string, gen: string, name: string, i: number) => `${ROOT}${id}/${gen}/${name}/${i}`;

/** The arrays of a space by stored name, and whether fp16 may apply to each. */
function arraysOf(d: SpaceData): [string, Float32Array, boolean][] {
  const out: [string, Float32Array, boolean][] = [
    ['mean', d.mean, false], ['std', d.std, false], ['v', d.v, true], ['proj', d.proj, true],
    ['projMean', d.projMean, false], ['projStd', d.projStd, false],
  ];
  for (const [c, dir] of d.directions) out.push([`direction/${c}`, dir, false]);
  for (const [c, lab] of d.labels.columns) out.push([`label/${c}`, lab, false]);
  return out;
}

function chunksOf(data: Float32Array, half: boolean): Uint8Array[] {
  const bytes = half ? float32ToHalf(data) : data;
  const raw = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  for (let o = 0; o < raw.length || (o === 0 && out.length === 0); o += CHUNK_BYTES) out.push(raw.slice(o, o + CHUNK_BYTES));
  return out;
}

export class SpaceStore {
  constructor(private readonly kv: KeyValue, private readonly estimateFn = defaultEstimate) {}

  /** Persists a space under `id`, replacing any previous store of that id only once complete. */
  async save(id: string, space: Space, opts: SaveOptions = {}): Promise<SpaceManifest> {
    checkId(id);
    const d = space.data;
    const gen = `g${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const arrays = arraysOf(d);
    const indexBytes = new TextEncoder().encode(JSON.stringify(d.labels.index)).length;
    const total = arrays.reduce((s, [, a, h]) => s + a.length * (h && opts.fp16 ? 2 : 4), 0) + indexBytes;
    const written: string[] = [];
    const put = async (key: string, value: unknown) => {
      written.push(key);
      await this.kv.set(key, value);
    };
    const stored: Record<string, StoredArray> = {};
    let done = 0;
    try {
      await put(chunkKey(id, gen, 'index', 0), [...d.labels.index]);
      for (const [name, data, halfable] of arrays) {
        const half = halfable && !!opts.fp16;
        const chunks = chunksOf(data, half);
        for (let i = 0; i < chunks.length; i++) {
          await put(chunkKey(id, gen, name, i), chunks[i]);
          done += chunks[i].length;
          opts.onProgress?.(done, total);
        }
        stored[name] = { length: data.length, dtype: half ? 'f16' : 'f32', chunks: chunks.length };
      }
      const manifest: SpaceManifest = {
        version: STORE_VERSION, id, generation: gen, k: d.k, components: d.components, pcs: d.pcs,
        columns: [...d.directions.keys()], arrays: stored, bytes: total, savedAt: Date.now(),
      };
      await this.kv.set(manifestKey(id), manifest);
      // The new generation is live: the old one (and any leftovers of an interrupted save) can go.
      await this.sweep(id, gen);
      return manifest;
    } catch (e) {
      for (const key of written) await this.kv.del(key).catch(() => {});
      if (isQuotaError(e)) throw new QuotaError(total, e);
      throw new Error(`saving space ${id} failed, nothing was kept: ${(e as Error).message}`);
    }
  }

  /** The stored manifest of `id`, or null when absent or from another store version. */
  async manifest(id: string): Promise<SpaceManifest | null> {
    const m = (await this.kv.get(manifestKey(id))) as SpaceManifest | undefined;
    return m && m.version === STORE_VERSION ? m : null;
  }

  /** Ids of complete stores. */
  async list(): Promise<SpaceManifest[]> {
    const ids = (await this.kv.keys()).filter((k) => k.startsWith(ROOT) && k.endsWith('/manifest')).map((k) => k.slice(ROOT.length, -'/manifest'.length));
    const out: SpaceManifest[] = [];
    for (const id of ids) {
      const m = await this.manifest(id);
      if (m) out.push(m);
    }
    return out;
  }

  /** The stored space, or null when absent. A damaged store (a chunk missing) is an error naming it. */
  async load(id: string, onProgress?: (bytesRead: number, bytesTotal: number) => void): Promise<Space | null> {
    const m = await this.manifest(id);
    if (!m) return null;
    let done = 0;
    const read = async (name: string): Promise<Float32Array> => {
      const a = m.arrays[name];
      if (!a) throw new Error(`stored space ${id} is damaged: array ${name} is not in its manifest; clear it and import again`);
      const bytes = new Uint8Array(a.length * (a.dtype === 'f16' ? 2 : 4));
      let o = 0;
      for (let i = 0; i < a.chunks; i++) {
        const c = await this.kv.get(chunkKey(id, m.generation, name, i));
        if (!(c instanceof Uint8Array) || o + c.length > bytes.length)
          throw new Error(`stored space ${id} is damaged: chunk ${i} of ${name} is missing or wrong; clear it and import again`);
        bytes.set(c, o);
        o += c.length;
        done += c.length;
        onProgress?.(done, m.bytes);
      }
      if (o !== bytes.length) throw new Error(`stored space ${id} is damaged: ${name} has ${o} of ${bytes.length} bytes`);
      return a.dtype === 'f16' ? halfToFloat32(new Uint16Array(bytes.buffer)) : new Float32Array(bytes.buffer);
    };
    const index = (await this.kv.get(chunkKey(id, m.generation, 'index', 0))) as string[] | undefined;
    if (!Array.isArray(index)) throw new Error(`stored space ${id} is damaged: the label index is missing; clear it and import again`);
    const directions = new Map<string, Float32Array>();
    const columns = new Map<string, Float32Array>();
    for (const c of m.columns) {
      directions.set(c, await read(`direction/${c}`));
      columns.set(c, await read(`label/${c}`));
    }
    return new Space({
      mean: await read('mean'), std: await read('std'), v: await read('v'), k: m.k, components: m.components, pcs: m.pcs,
      proj: await read('proj'), projMean: await read('projMean'), projStd: await read('projStd'), directions,
      labels: { index, columns },
    });
  }

  /** Deletes the store `id` (every generation), or every stored space. */
  async clear(id?: string): Promise<void> {
    const prefix = id === undefined ? ROOT : `${ROOT}${checkId(id)}/`;
    // The manifest first: from then on the store reads as absent even if the tab closes mid-way.
    for (const k of (await this.kv.keys()).filter((k) => k.startsWith(prefix) && k.endsWith('/manifest'))) await this.kv.del(k);
    for (const k of (await this.kv.keys()).filter((k) => k.startsWith(prefix))) await this.kv.del(k);
  }

  /** Bytes of each stored space, plus the browser's usage/quota when it reports them. */
  async estimate(): Promise<{ spaces: { id: string; bytes: number }[]; usage?: number; quota?: number }> {
    const spaces = (await this.list()).map((m) => ({ id: m.id, bytes: m.bytes }));
    return { spaces, ...(await this.estimateFn()) };
  }

  /** Deletes chunks of `id` outside the live generations (old saves, interrupted saves). */
  private async sweep(id: string, live: string): Promise<void> {
    const prefix = `${ROOT}${id}/`;
    for (const k of await this.kv.keys()) {
      if (!k.startsWith(prefix) || k === manifestKey(id)) continue;
      if (k.slice(prefix.length).split('/')[0] !== live) await this.kv.del(k);
    }
  }
}

function checkId(id: string): string {
  if (!/^[\w.@+-]+$/.test(id)) throw new Error(`bad space id ${JSON.stringify(id)}: use letters, digits and . _ - @ +`);
  return id;
}

async function defaultEstimate(): Promise<{ usage?: number; quota?: number }> {
  const storage = (globalThis as { navigator?: { storage?: { estimate?: () => Promise<{ usage?: number; quota?: number }> } } }).navigator?.storage;
  if (!storage?.estimate) return {};
  const { usage, quota } = await storage.estimate();
  return { usage, quota };
}
