// The w2w space: restore from IndexedDB, import from the hub/mirror or dropped files, its stored size and
// clearing; sampling (with the nearest training identities) and edits.
import { IDENTITY_FRACTIONS } from '../../engine/pullback/fractions';
import { linkSpace } from '../../engine/space/share-link';
import type { Edit } from '../../engine/space/space';
import { splitRepoPath } from '../config';
import { errorMessage } from '../errors';
import { getIdentity, setIdentity, TOP_PCS, type Identity } from '../identity-store';
import { getApp, type IdentityInput } from '../store';
import { Comlink, engineWorker, spaceWorker } from '../workers';
import { storedIdentity } from './identity-persist';
import { refreshLibrary } from './library-list';

/** A new identity starts with no edits, offsets, label-free directions or neighbours. */
const UNEDITED = { sliders: {}, pcOffsets: new Array<number>(TOP_PCS).fill(0), alphas: [], compare: undefined, editScore: undefined, free: undefined, freeOffsets: [], nearest: undefined };

/** A space is loaded (restored, imported, or switched to by a share link): its stats, the stored identity, the engine's copy. */
export async function spaceReady(summary: NonNullable<Awaited<ReturnType<ReturnType<typeof spaceWorker>['restore']>>>) {
  const pcStats = await spaceWorker().pcStats(TOP_PCS);
  setIdentity({ space: summary, spacePhase: 'ready', spaceError: undefined, pcStats });
  // The identity of the last visit, unless one is current already.
  const stored = await storedIdentity(summary);
  if (stored && !getIdentity().identity) {
    setIdentityCoef(stored.identity);
    setIdentity({ sliders: stored.sliders, debias: stored.debias, switchAt: stored.switchAt, pcOffsets: stored.pcOffsets });
  }
  await shareSpaceWithEngine();
  await refreshSpaceStorage();
}

/** The engine worker reads the space worker's basis (shared memory) for inversion; again after a restart. */
export async function shareSpaceWithEngine(): Promise<void> {
  if (getIdentity().spacePhase === 'ready') await engineWorker().setSpace(await spaceWorker().sharedData());
}

/** The stored spaces' size in IndexedDB (the browser's usage and quota are on the Models screen already). */
export async function refreshSpaceStorage(): Promise<void> {
  try {
    const e = await spaceWorker().estimate();
    setIdentity({ spaceStorage: { bytes: e.spaces.reduce((s, x) => s + x.bytes, 0) } });
  } catch (e) {
    setIdentity({ spaceError: errorMessage(e) });
  }
}

/** Deletes every stored space; the current identity goes with it (its coefficients mean nothing without one). */
export async function clearSpace(): Promise<void> {
  try {
    await spaceWorker().clear();
    await engineWorker().setSpace(null);
    setIdentity({ space: undefined, spacePhase: 'none', spaceError: undefined, spaceProgress: undefined, pcStats: undefined, identity: undefined, ...UNEDITED });
  } catch (e) {
    setIdentity({ spaceError: errorMessage(e) });
  }
  await refreshSpaceStorage();
}

/** After the model is loaded: hand its LoRA layout over and reload the stored space, if any. */
export async function restoreSpace(): Promise<void> {
  const model = getApp().model;
  if (model) await spaceWorker().setLayout(model.layout);
  try {
    // A share link's space, if it is stored, rather than the one used last.
    const s = await spaceWorker().restore(linkSpace(getIdentity().pendingLink ?? ''));
    if (s) await spaceReady(s);
  } catch (e) {
    setIdentity({ spacePhase: 'error', spaceError: errorMessage(e) });
  }
  await refreshLibrary();
}

const progress = Comlink.proxy((p: { file: string; done: number; total: number }) => setIdentity({ spaceProgress: p }));

export async function importSpace(opts: { k?: number; fp16?: boolean } = {}): Promise<void> {
  setIdentity({ spacePhase: 'importing', spaceError: undefined, spaceProgress: undefined });
  try {
    const { hub, space } = getApp().sources;
    await spaceReady(await spaceWorker().importFromHub(hub, splitRepoPath(space), opts, progress));
  } catch (e) {
    setIdentity({ spacePhase: 'error', spaceError: errorMessage(e) });
  }
}

export async function importSpaceFiles(files: Map<string, File>, name: string, opts: { k?: number; fp16?: boolean } = {}): Promise<void> {
  setIdentity({ spacePhase: 'importing', spaceError: undefined, spaceProgress: undefined });
  try {
    await spaceReady(await spaceWorker().importFromFiles(files, name, opts, progress));
  } catch (e) {
    setIdentity({ spacePhase: 'error', spaceError: errorMessage(e) });
  }
}

export async function sampleIdentity(seed = Math.floor(Math.random() * 2 ** 31)): Promise<void> {
  const { diversity } = getIdentity();
  const coef = await spaceWorker().sample(seed, diversity);
  setIdentityCoef({ name: `sample ${seed}`, coef, origin: { sampled: seed, diversity } });
}

/** A new current identity, unedited; its nearest training identities follow (the paper's novelty check). */
export function setIdentityCoef(identity: Identity): void {
  setIdentity({ identity, ...UNEDITED });
  spaceWorker()
    .nearest(identity.coef, NEAREST)
    .then((nearest) => getIdentity().identity === identity && setIdentity({ nearest }))
    .catch((e: unknown) => setIdentity({ spaceError: errorMessage(e) }));
}

const NEAREST = 5; // neighbours shown

/** The identity's coefficients with the top-PC and label-free direction offsets applied (by the space). */
export async function baseCoef(): Promise<Float32Array | undefined> {
  const { identity, pcOffsets, free, freeOffsets } = getIdentity();
  if (!identity) return;
  return spaceWorker().withOffsets(identity.coef, { pcOffsets, directions: free && { vectors: free.vectors, unit: free.unit, offsets: freeOffsets } });
}

/** Label-free identity directions at the current identity, on the current generation settings. */
export async function discoverDirections(n: number): Promise<void> {
  const coef = await baseCoef();
  if (!coef) return;
  const { gen } = getApp();
  setIdentity({ freeStatus: 'capturing the trajectory…', free: undefined, freeOffsets: [] });
  try {
    const free = await engineWorker().discoverIdentityDirections(
      coef, { ...gen, lora: null, lora2: null }, [gen.prompt], { n, fractions: IDENTITY_FRACTIONS },
      Comlink.proxy((i: number, residual: number) => setIdentity({ freeStatus: `iteration ${i}, residual ${residual.toExponential(1)}` })),
    );
    // The directions are taken at these coefficients: they become the identity the sliders move from.
    const identity = getIdentity().identity!;
    setIdentity({
      identity: { ...identity, coef }, pcOffsets: new Array(TOP_PCS).fill(0), free, freeOffsets: free.vectors.map(() => 0),
      freeStatus: `${free.vectors.length} directions, ${free.iterations} iterations${free.converged ? '' : ' (not converged)'}`,
    });
  } catch (e) {
    setIdentity({ freeStatus: undefined, spaceError: errorMessage(e) });
  }
}

/** Active slider edits as space edits; each direction debiased against the chosen attributes. */
export function activeEdits(): Edit[] {
  const { sliders, debias } = getIdentity();
  return Object.entries(sliders)
    .filter(([, v]) => v !== 0)
    .map(([attr, slider]) => ({ direction: [attr, ...debias.filter((d) => d !== attr)].join('~'), slider }));
}

/** Slider, debias, injection and offset settings that turned the identity into what is on screen. */
export interface EditSettings {
  /** Non-zero attribute sliders (calibrated units). */
  sliders: Record<string, number>;
  debias: string[];
  switchAt: number;
  /** Top-PC offsets (σ of the training models). */
  pcOffsets: number[];
  /** Label-free direction offsets, when directions were discovered. */
  freeOffsets: number[];
  /** The raw α each slider edit became. */
  alphas: { direction: string; alpha: number; unit: number }[];
}

/**
 * The identity as exported and saved: baseCoef (PC and label-free offsets) with every slider edit applied
 * (what generation injects once t ≤ switchAt), and the settings that made it.
 */
export async function editedIdentity(): Promise<{ identity: Identity; coef: Float32Array; settings: EditSettings } | undefined> {
  const { identity, sliders, debias, switchAt, pcOffsets, freeOffsets } = getIdentity();
  const edits = activeEdits(); // read with the rest, before the state can move on
  const base = await baseCoef();
  if (!identity || !base) return;
  const { edited, alphas } = edits.length ? await spaceWorker().edit(base, edits) : { edited: base, alphas: [] };
  const nonZero = Object.fromEntries(Object.entries(sliders).filter(([, v]) => v !== 0));
  return { identity, coef: edited, settings: { sliders: nonZero, debias: [...debias], switchAt, pcOffsets: [...pcOffsets], freeOffsets: [...freeOffsets], alphas } };
}

export function editsLabel(): string {
  const { sliders } = getIdentity();
  return Object.entries(sliders)
    .filter(([, v]) => v !== 0)
    .map(([a, v]) => `${a} ${v > 0 ? '+' : ''}${v}`)
    .join(', ');
}

/** What to generate with: the identity (and its edits, injected once t ≤ switchAt), or the base model. */
export async function identityInput(withEdits = true): Promise<IdentityInput> {
  const { identity, switchAt } = getIdentity();
  const edits = withEdits ? activeEdits() : [];
  const coef = await baseCoef();
  if (!identity || !coef) return { label: 'base model', lora: null, lora2: null, switchAt: 1000 };
  const r = await spaceWorker().loras(coef, edits);
  setIdentity({ alphas: r.alphas });
  const label = edits.length ? `${identity.name} (${editsLabel()}, from t ≤ ${switchAt})` : identity.name;
  return { label, lora: r.lora, lora2: r.lora2, switchAt };
}
