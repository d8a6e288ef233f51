// The current identity survives a reload: its coefficients, name and origin with the slider, debias,
// injection and PC settings on it, stored with the id of the space it belongs to and restored only into
// that space (label-free directions are not kept: they are rediscovered at the identity).
import { del, get, set } from 'idb-keyval';
import { useIdentity, type Identity, type IdentityState } from '../identity-store';
import { pageDb } from './page-db';

const KEY = 'identity';
type Edits = Pick<IdentityState, 'sliders' | 'debias' | 'switchAt' | 'pcOffsets'>;
interface Stored extends Edits {
  space: string;
  identity: Identity;
}

/** Slider drags change the edits many times a second: one write once they have paused this long. */
export const EDIT_SAVE_DELAY_MS = 300;

let queue = Promise.resolve();
let pending: ReturnType<typeof setTimeout> | undefined;

function save(s: IdentityState): void {
  clearTimeout(pending);
  pending = undefined;
  const { identity, space, sliders, debias, switchAt, pcOffsets } = s;
  const write = () => (identity && space ? set(KEY, { space: space.id, identity, sliders, debias, switchAt, pcOffsets } satisfies Stored, pageDb) : del(KEY, pageDb));
  queue = queue.then(write).catch((e: Error) => console.warn(`identity not saved: ${e.message}`));
}

/** Writes the state once the edits pause (a new identity is written at once). */
function saveSoon(): void {
  clearTimeout(pending);
  pending = setTimeout(() => save(useIdentity.getState()), EDIT_SAVE_DELAY_MS);
}

/** The identity stored for this space (coefficients of its k), with its edit settings; undefined if none. */
export async function storedIdentity(space: { id: string; k: number }): Promise<(Edits & { identity: Identity }) | undefined> {
  try {
    const stored = await get<Stored>(KEY, pageDb);
    if (stored?.space === space.id && stored.identity.coef.length === space.k) return stored;
  } catch (e) {
    console.warn(`identity not restored: ${(e as Error).message}`);
  }
}

/** From now on every change of the current identity or its edits is written (its removal deletes the stored one). */
export function installIdentityPersistence(): void {
  useIdentity.subscribe((s, p) => {
    if (s.identity !== p.identity) save(s);
    else if (s.sliders !== p.sliders || s.debias !== p.debias || s.switchAt !== p.switchAt || s.pcOffsets !== p.pcOffsets) saveSoon();
  });
}
