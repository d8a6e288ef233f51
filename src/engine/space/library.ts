// The identity library: every sampled, edited or inverted identity as a record on the same KeyValue as
// the space store (IndexedDB in the app). Records hold coefficients, not weights: k numbers, not D.
import type { KeyValue } from './kv';
import type { AppliedEdit } from './space';

/** What made a library identity: its origin (one of sampled, library, inverted, imported, training, shared, pullback) and edits. */
export interface IdentitySettings {
  /** Sampled: the seed, and the diversity (std factor) it was drawn with. */
  readonly sampled?: number;
  readonly diversity?: number;
  /** Loaded from the library record of this id. */
  readonly library?: string;
  /** Inverted from a photo: the photo's name, the inversion settings and the final loss. */
  readonly inverted?: { readonly photo: string; readonly finalLoss?: number; readonly [setting: string]: unknown };
  /** Imported from a LoRA or w2w file: its name, format and what the projection reported. */
  readonly imported?: { readonly file: string; readonly format: string; readonly [detail: string]: unknown };
  /** A training identity of the space: its row of proj and identity_df's index entry. */
  readonly training?: { readonly row: number; readonly file: string };
  /** Opened from a share link (the space it named). */
  readonly shared?: { readonly space: string };
  /** Moved along pullback direction `direction` by `at` from the identity `from`. */
  readonly pullback?: { readonly direction: number; readonly at: number; readonly from: string };
  /** Edits: calibrated attribute sliders, debias list, injection timestep, top-PC and label-free offsets, α per edit. */
  readonly sliders?: Readonly<Record<string, number>>;
  readonly debias?: readonly string[];
  readonly switchAt?: number;
  readonly pcOffsets?: readonly number[];
  readonly freeOffsets?: readonly number[];
  readonly alphas?: readonly AppliedEdit[];
  /** Records are stored as written: other versions (and other callers of the library) may hold other keys. */
  readonly [other: string]: unknown;
}

export interface IdentityRecord {
  readonly id: string;
  readonly name: string;
  /** Coefficients in the space (length k). */
  readonly coef: Float32Array;
  readonly k: number;
  /** The space the coefficients belong to (a SpaceStore id), when known. */
  readonly space?: string;
  /** A small image (PNG/JPEG bytes), when one was rendered. */
  readonly thumbnail?: Uint8Array;
  /** What made it (structured-clonable). */
  readonly settings: IdentitySettings;
  readonly created: number;
  readonly updated: number;
}

export type NewIdentity = Pick<IdentityRecord, 'name' | 'coef'> & Partial<Pick<IdentityRecord, 'space' | 'thumbnail' | 'settings'>>;

const PREFIX = 'w2w-identity/';

export class IdentityLibrary {
  constructor(
    private readonly kv: KeyValue,
    private readonly newId: () => string = () => crypto.randomUUID(),
    private readonly now: () => number = Date.now,
  ) {}

  async add(identity: NewIdentity): Promise<IdentityRecord> {
    if (!(identity.coef instanceof Float32Array) || identity.coef.length === 0)
      throw new Error('identity coefficients must be a non-empty Float32Array');
    const t = this.now();
    const rec: IdentityRecord = {
      id: this.newId(), name: checkName(identity.name), coef: identity.coef.slice(), k: identity.coef.length,
      space: identity.space, thumbnail: identity.thumbnail, settings: identity.settings ?? {}, created: t, updated: t,
    };
    await this.kv.set(PREFIX + rec.id, rec);
    return rec;
  }

  async get(id: string): Promise<IdentityRecord> {
    const rec = (await this.kv.get(PREFIX + id)) as IdentityRecord | undefined;
    if (!rec) throw new Error(`no identity ${id} in the library`);
    return rec;
  }

  /** Every record, oldest first. */
  async list(): Promise<IdentityRecord[]> {
    const out: IdentityRecord[] = [];
    for (const k of await this.kv.keys()) if (k.startsWith(PREFIX)) out.push((await this.kv.get(k)) as IdentityRecord);
    return out.filter(Boolean).sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  }

  async rename(id: string, name: string): Promise<IdentityRecord> {
    const rec = { ...(await this.get(id)), name: checkName(name), updated: this.now() };
    await this.kv.set(PREFIX + id, rec);
    return rec;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.kv.del(PREFIX + id);
  }

  /** A copy under a new id, named "<name> (copy)" unless a name is given. */
  async duplicate(id: string, name?: string): Promise<IdentityRecord> {
    const rec = await this.get(id);
    return this.add({ name: name ?? `${rec.name} (copy)`, coef: rec.coef, space: rec.space, thumbnail: rec.thumbnail, settings: rec.settings });
  }
}

function checkName(name: string): string {
  const n = name.trim();
  if (!n) throw new Error('an identity needs a non-empty name');
  return n;
}
