// The space worker: owns the w2w basis (imported from the hub/mirror or dropped files, persisted in
// IndexedDB through idb-keyval), the identity library, sampling, edits and export. The engine worker
// receives a shared-memory view of the same basis for inversion (shareSpace).
import * as Comlink from 'comlink';
import * as idb from 'idb-keyval';
import type { LoraLayout } from '../src/engine/models/lora';
import { fromBlob } from '../src/engine/io/source';
import { buildSpace, spaceZip, type BuildProgress } from '../src/engine/space/build';
import { loraInputsFromFiles } from '../src/engine/space/build-inputs';
import { importFiles, spaceFolderFromFiles, spaceFolderFromUrl } from '../src/engine/space/files';
import { labelsFromCsv } from '../src/engine/space/labels-csv';
import type { KeyValue } from '../src/engine/space/kv';
import { IdentityLibrary, type IdentityRecord, type NewIdentity } from '../src/engine/space/library';
import { loadSpace, type LoadProgress } from '../src/engine/space/load';
import { Space, type AppliedEdit, type Calibration, type Edit, type Neighbor, type Offsets, type SpaceData } from '../src/engine/space/space';
import { coefForSpace, decodeShareLink, encodeShareLink, ShareLinkError, type SharedEdits } from '../src/engine/space/share-link';
import { SpaceStore } from '../src/engine/space/store';
import type { SearchPage, SearchQuery } from '../src/engine/space/training-search';
import { exportIdentity, importIdentity, type ExportFormat, type Imported } from '../src/engine/space/transfer';
import { torchZip } from '../src/engine/torch/write';
import { hubBase } from './model-source';
import { shareSpace, sharedAlloc } from './shared-space';

const kv: KeyValue = { get: idb.get, set: idb.set, del: idb.del, keys: async () => (await idb.keys()).map(String) };
const store = new SpaceStore(kv);
const library = new IdentityLibrary(kv);

export interface SpaceSummary {
  id: string;
  k: number;
  components: number;
  pcs: number;
  models: number;
  /** Label columns: every attribute with a direction. */
  columns: string[];
  /** D, the LoRA vector length. */
  size: number;
}

export interface ImportOptions {
  k?: number;
  pcs?: number;
  /** Store V_k and proj as half floats. */
  fp16?: boolean;
}

export interface IdentityLoras {
  /** θ of the identity (used for t > switchAt when edited). */
  lora: Float32Array;
  /** θ of the edited identity, or null without edits. */
  lora2: Float32Array | null;
  edited: Float32Array;
  alphas: AppliedEdit[];
}

/** A space built from LoRAs: stored and current; its files for download and its explained-variance curve. */
export interface BuiltSpaceResult {
  summary: SpaceSummary;
  /** Fraction of the variance per component, and cumulative. */
  explained: number[];
  cumulative: number[];
  notes: string[];
  /** Blobs, not bytes: posted to the page without a copy of a space that may take gigabytes. */
  files: { name: string; blob: Blob }[];
  /** The official file set as one stored zip (`<name>/<file>`). */
  zip: { name: string; blob: Blob };
}
export type { BuildProgress };

let space: Space | undefined;
let building: AbortController | undefined;
let spaceId: string | undefined;
let layout: LoraLayout | undefined;
// The space to load again after a reload.
const ACTIVE = 'w2w-app/active-space';

/** A store id for a source: letters, digits and . _ - @ + only. */
export const spaceIdOf = (source: string) => source.replace(/^https?:\/\//, '').replace(/[^\w.@+-]+/g, '_').slice(0, 120);

function current(): Space {
  if (!space) throw new Error('no w2w space loaded: import one first');
  return space;
}

async function use(id: string, s: Space): Promise<SpaceSummary> {
  space = new Space(shareSpace(s.data));
  spaceId = id;
  await kv.set(ACTIVE, id);
  return summary();
}

function summary(): SpaceSummary {
  const s = current();
  return { id: spaceId!, k: s.k, components: s.data.components, pcs: s.data.pcs, models: s.models, columns: s.labelColumns, size: s.size };
}

/** Coefficients with edits applied (calibrated sliders; a direction may be a debias chain A~B), and each α. */
const edit = (coef: Float32Array, edits: Edit[]): Pick<IdentityLoras, 'edited' | 'alphas'> => current().editWithAlphas(coef, edits);

const spaceBase = (hub: string, spec: { repo: string; folder: string }) => `${hubBase(hub, spec.repo)}${spec.folder ? `/${spec.folder}` : ''}`;

async function importFrom(id: string, folder: Parameters<typeof loadSpace>[0], opts: ImportOptions, onProgress?: (p: LoadProgress | { file: 'saving'; done: number; total: number }) => void) {
  const s = await loadSpace(folder, { k: opts.k, pcs: opts.pcs, layout, onProgress, alloc: sharedAlloc() });
  await store.save(id, s, { fp16: opts.fp16, onProgress: (done, total) => onProgress?.({ file: 'saving', done, total }) });
  return use(id, s);
}


const api = {
  /** The UNet's LoRA layout: imports are checked against it, exports are written in it. */
  setLayout(l: LoraLayout): void {
    layout = l;
  },

  /** The space `prefer` (a shared link's) if it is stored, else the one used last, from IndexedDB; null when none is stored. */
  async restore(prefer?: string): Promise<SpaceSummary | null> {
    if (space) return summary();
    const stored = new Set((await store.list()).map((m) => m.id));
    const id = prefer && stored.has(prefer) ? prefer : ((await kv.get(ACTIVE)) as string | undefined);
    const s = id ? await store.load(id, { alloc: sharedAlloc() }) : null;
    return s ? use(id!, s) : null;
  },

  async importFromHub(hub: string, spec: { repo: string; folder: string }, opts: ImportOptions, onProgress?: (p: LoadProgress) => void): Promise<SpaceSummary> {
    const base = spaceBase(hub, spec);
    return importFrom(spaceIdOf(base), spaceFolderFromUrl(base), opts, onProgress);
  },

  /** What an import from the hub streams: its files and their sizes, from the folder's listing (no file is read). */
  async planFromHub(hub: string, spec: { repo: string; folder: string }): Promise<{ files: { name: string; size: number }[]; total: number }> {
    const folder = spaceFolderFromUrl(spaceBase(hub, spec));
    if (!folder.listSizes) throw new Error(`${folder.describe} cannot be listed`);
    const files = importFiles(await folder.listSizes());
    return { files, total: files.reduce((a, f) => a + f.size, 0) };
  },

  async importFromFiles(files: Map<string, File>, name: string, opts: ImportOptions, onProgress?: (p: LoadProgress) => void): Promise<SpaceSummary> {
    return importFrom(spaceIdOf(`local-${name}`), spaceFolderFromFiles(files, name), opts, onProgress);
  },

  /**
   * Builds a space from LoRA files (re-read on every pass, never all held) with labels from a CSV's text,
   * stores it as `local-build-<name>` and makes it current. Nothing is stored when it fails or is cancelled.
   */
  async buildFromFiles(files: Map<string, File>, name: string, opts: { components: number; labelsCsv?: { name: string; text: string } }, onProgress?: (p: BuildProgress) => void): Promise<BuiltSpaceResult> {
    building?.abort();
    const ctl = (building = new AbortController());
    try {
      const loras = await loraInputsFromFiles(files);
      const labels = opts.labelsCsv && labelsFromCsv(opts.labelsCsv.text, loras.map((l) => l.name), opts.labelsCsv.name);
      const built = await buildSpace(loras, { components: opts.components, layout, labels, seed: 0, signal: ctl.signal, onProgress });
      ctl.signal.throwIfAborted();
      const folder = new Map(built.files.map((f) => [f.name, new Blob([f.bytes as Uint8Array<ArrayBuffer>])]));
      const summary = await importFrom(spaceIdOf(`local-build-${name}`), spaceFolderFromFiles(folder, `the space built from ${name}`), { k: built.components });
      let sum = 0;
      const explained = Array.from(built.explained);
      const zip = spaceZip(name, built.files);
      return {
        summary, explained, cumulative: explained.map((e) => (sum += e)), notes: built.notes,
        files: [...folder].map(([file, blob]) => ({ name: file, blob })), zip: { name: zip.name, blob: new Blob([zip.bytes as Uint8Array<ArrayBuffer>]) },
      };
    } finally {
      if (building === ctl) building = undefined;
    }
  },

  /** Stops the build in progress at its next block (it rejects with an AbortError; nothing is stored). */
  cancelBuild(): void {
    building?.abort();
  },

  /** The basis over shared memory, for the engine worker's inversion loop. */
  sharedData(): SpaceData {
    return current().data;
  },

  async clear(): Promise<void> {
    await store.clear();
    await kv.del(ACTIVE);
    space = undefined;
    spaceId = undefined;
  },

  async estimate() {
    return store.estimate();
  },

  sample(seed: number, diversity: number): Float32Array {
    return current().sample(seed, diversity);
  },

  /** Mean and std of the first n coefficients over the training models (top-PC slider units). */
  pcStats(n: number): { mean: Float32Array; std: Float32Array } {
    const d = current().data;
    const m = Math.min(n, d.pcs, d.k);
    return { mean: d.projMean.slice(0, m), std: d.projStd.slice(0, m) };
  },

  calibration: (direction: string): Calibration => current().calibration(direction),

  edit,

  /** The identity's coefficients moved by top-PC and label-free direction offsets (see Space.withOffsets). */
  withOffsets: (coef: Float32Array, offsets: Offsets): Float32Array => current().withOffsets(coef, offsets),

  /** The LoRA vectors for an identity with edits (calibrated sliders; a direction may be a debias chain A~B). */
  loras(coef: Float32Array, edits: Edit[]): IdentityLoras {
    const s = current();
    const { edited, alphas } = edit(coef, edits);
    return { lora: s.theta(coef), lora2: edits.length ? s.theta(edited) : null, edited, alphas };
  },

  nearest(coef: Float32Array, count = 3): Neighbor[] {
    return current().nearest(coef, count);
  },

  /** A page of training identities: label filter, cosine order to an identity, offset and count. */
  searchTraining: (q: SearchQuery): SearchPage => current().training.query(q),

  /** Training identity `row` as an identity of this space (its proj row as k coefficients). */
  trainingIdentity(row: number): { name: string; coef: Float32Array } {
    const s = current();
    return { name: `training ${s.data.labels.index[row] ?? row}`, coef: s.trainingCoef(row) };
  },

  /** The URL fragment (without '#') sharing an identity of the current space with its edit settings. */
  shareLink(name: string, coef: Float32Array, edits: SharedEdits): string {
    current();
    return encodeShareLink({ space: spaceId!, name, coef, edits });
  },

  /**
   * The identity in a link's fragment, as coefficients of its space (switched to when it is stored but not the
   * current one). A link for a space not stored here, or a malformed one, throws a message saying which or why.
   */
  async openShareLink(fragment: string): Promise<{ summary: SpaceSummary; name: string; coef: Float32Array; edits: SharedEdits }> {
    const link = decodeShareLink(fragment);
    let target = space;
    if (link.space !== spaceId) {
      const s = (await store.list()).some((m) => m.id === link.space) ? await store.load(link.space, { alloc: sharedAlloc() }) : null;
      if (!s)
        throw new ShareLinkError(`this link's identity belongs to the space "${link.space}", which is not stored in this browser${spaceId ? ` (the current space is "${spaceId}")` : ''}: import that space, then open the link again`);
      target = s;
    }
    // Checked before switching: a link that does not fit leaves the current space (and identity) as they were.
    const coef = coefForSpace(link, target!);
    if (target !== space) await use(link.space, target!);
    return { summary: summary(), name: link.name, coef, edits: link.edits };
  },

  /** The export as one downloadable file: the file itself, or a stored zip of `<name>/<path>` when there are several. */
  exportFile(coef: Float32Array, format: ExportFormat, opts: { fp16?: boolean; name: string }): { name: string; bytes: Uint8Array; files: { name: string; bytes: number }[] } {
    if (!layout) throw new Error('load a model first: exports are written in its LoRA layout');
    const out = exportIdentity(current(), layout, coef, format, opts);
    const files = out.map((f) => ({ name: f.path, bytes: f.bytes.length }));
    if (out.length === 1) return { name: out[0].path, bytes: out[0].bytes, files };
    return { name: `${opts.name}-${format}.zip`, bytes: torchZip(opts.name, out.map((f) => [f.path, f.bytes] as const)), files };
  },

  async importIdentity(file: File, config?: { lora_alpha?: number; r?: number }): Promise<Imported> {
    if (!layout) throw new Error('load a model first: imports are read in its LoRA layout');
    return importIdentity(current(), layout, fromBlob(file, file.name), config);
  },

  listIdentities: (): Promise<IdentityRecord[]> => library.list(),
  addIdentity: (identity: NewIdentity): Promise<IdentityRecord> => library.add(identity),
  renameIdentity: (id: string, name: string) => library.rename(id, name),
  deleteIdentity: (id: string) => library.delete(id),
  duplicateIdentity: (id: string) => library.duplicate(id),
};

export type SpaceApi = typeof api;
Comlink.expose(api);
