// The space persisted on a KeyValue (IndexedDB in the app) in chunks, so reloads skip the download.
// A store is complete or absent: chunks go under a fresh generation prefix and the manifest, written
// last, is what makes them visible; on any failure what was written is deleted (the previous generation,
// if any, stays intact) and a quota failure reports the bytes needed.
import { formatBytes } from '../io/format-bytes';
import { float32ToHalf, halfToFloat32 } from '../io/half';
import { allocBlocks, BlockWriter, type RowBlocks } from '../io/row-blocks';
import { isQuotaError, type KeyValue } from './kv';
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

export interface StoreLoadOptions {
  onProgress?: (bytesRead: number, bytesTotal: number) => void;
  /** Largest row block of V_k (default 1 GiB). */
  maxBlockBytes?: number;
  /** Makes one block of V_k (the app passes shared memory, so the engine worker reads the same copy). */
  alloc?: (n: number) => Float32Array;
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

/**
 * The arrays of a space by stored name (V_k as its row blocks), and whether fp16 may apply to each. An array
 * is stored as its flat bytes in ≤ 8 MB chunks, so the block size it is read back into is free.
 */
function arraysOf(d: SpaceData): [string, RowBlocks, boolean][] {
  const out: [string, RowBlocks, boolean][] = [
    ['mean', [d.mean], false], ['std', [d.std], false], ['v', d.v, true], ['proj', [d.proj], true],
    ['projMean', [d.projMean], false], ['projStd', [d.projStd], false],
  ];
  for (const [c, dir] of d.directions) out.push([`direction/${c}`, [dir], false]);
  for (const [c, lab] of d.labels.columns) out.push([`label/${c}`, [lab], false]);
  return out;
}

const lengthOf = (parts: RowBlocks) => parts.reduce((s, p) => s + p.length, 0);

/** Chunks of each part in turn (a part's last chunk may be short), converted to half one chunk at a time. */
function* chunksOf(parts: RowBlocks, half: boolean): Generator<Uint8Array> {
  const elems = CHUNK_BYTES / (half ? 2 : 4);
  let any = false;
  for (const p of parts)
    for (let o = 0; o < p.length; o += elems) {
      const piece = p.subarray(o, o + elems);
      const bytes = half ? float32ToHalf(piece) : piece.slice();
      any = true;
      yield new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  if (!any) yield new Uint8Array(0);
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
    const total = arrays.reduce((s, [, a, h]) => s + lengthOf(a) * (h && opts.fp16 ? 2 : 4), 0) + indexBytes;
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
        let i = 0;
        for (const chunk of chunksOf(data, half)) {
          await put(chunkKey(id, gen, name, i++), chunk);
          done += chunk.length;
          opts.onProgress?.(done, total);
        }
        stored[name] = { length: lengthOf(data), dtype: half ? 'f16' : 'f32', chunks: i };
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
  async load(id: string, opts: StoreLoadOptions = {}): Promise<Space | null> {
    const m = await this.manifest(id);
    if (!m) return null;
    let done = 0;
    const damaged = (what: string) => new Error(`stored space ${id} is damaged: ${what}; clear it and import again`);
    const into = async <T extends RowBlocks>(name: string, blocks: (length: number) => T): Promise<T> => {
      const a = m.arrays[name];
      if (!a) throw damaged(`array ${name} is not in its manifest`);
      const out = blocks(a.length);
      const writer = new BlockWriter(out);
      const item = a.dtype === 'f16' ? 2 : 4;
      let o = 0;
      for (let i = 0; i < a.chunks; i++) {
        const c = await this.kv.get(chunkKey(id, m.generation, name, i));
        if (!(c instanceof Uint8Array) || c.length % item || o + c.length / item > a.length) throw damaged(`chunk ${i} of ${name} is missing or wrong`);
        const b = c.byteOffset % item ? c.slice() : c;
        writer.set(item === 2 ? halfToFloat32(new Uint16Array(b.buffer, b.byteOffset, b.length / 2)) : new Float32Array(b.buffer, b.byteOffset, b.length / 4), o);
        o += c.length / item;
        done += c.length;
        opts.onProgress?.(done, m.bytes);
      }
      if (o !== a.length) throw damaged(`${name} has ${o * item} of ${a.length * item} bytes`);
      return out;
    };
    const read = async (name: string) => (await into(name, (n) => [new Float32Array(n)] as const))[0];
    const index = (await this.kv.get(chunkKey(id, m.generation, 'index', 0))) as string[] | undefined;
    if (!Array.isArray(index)) throw damaged('the label index is missing');
    const directions = new Map<string, Float32Array>();
    const columns = new Map<string, Float32Array>();
    for (const c of m.columns) {
      directions.set(c, await read(`direction/${c}`));
      columns.set(c, await read(`label/${c}`));
    }
    const mean = await read('mean');
    const v = await into('v', (n) => {
      if (n !== mean.length * m.k) throw damaged(`v has ${n} values, not D × k = ${mean.length} × ${m.k}`);
      return allocBlocks(mean.length, m.k, opts.maxBlockBytes, opts.alloc);
    });
    return new Space({
      mean, std: await read('std'), v, k: m.k, components: m.components, pcs: m.pcs,
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
