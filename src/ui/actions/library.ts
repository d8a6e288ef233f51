// The identity library (IndexedDB, in the space worker): save, rename, delete, duplicate, load.
import { errorMessage } from '../errors';
import { getIdentity, setIdentity } from '../identity-store';
import { getApp } from '../store';
import { spaceWorker } from '../workers';
import { refreshLibrary } from './library-list';
import { editedIdentity, setIdentityCoef } from './space';

async function guard(f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
    setIdentity({ libraryError: undefined });
  } catch (e) {
    setIdentity({ libraryError: errorMessage(e) });
  }
  await refreshLibrary();
}

/**
 * Saves the current identity as it is exported: its coefficients with the PC offsets and every attribute
 * edit applied, the settings that made them (how it was made, sliders, debias, switchAt, offsets), and
 * the latest image as thumbnail.
 */
export async function saveIdentity(name: string): Promise<void> {
  const { space } = getIdentity();
  const latest = getApp().gallery[0];
  await guard(async () => {
    const e = await editedIdentity();
    if (!e) return;
    const thumbnail = latest ? new Uint8Array(await latest.png.arrayBuffer()) : undefined;
    const settings = { ...e.identity.origin, ...e.settings };
    const rec = await spaceWorker().addIdentity({ name, coef: e.coef, space: space?.id, thumbnail, settings });
    // Unless another identity became current meanwhile, the one on screen is now this record.
    if (getIdentity().identity === e.identity) setIdentity({ identity: { ...e.identity, name: rec.name, libraryId: rec.id } });
  });
}

export const renameIdentity = (id: string, name: string) => guard(() => spaceWorker().renameIdentity(id, name));
/** Deletes at once; the record stays in memory for Undo until the next delete. */
export async function deleteIdentity(id: string): Promise<void> {
  const rec = getIdentity().library.find((r) => r.id === id);
  await guard(async () => {
    await spaceWorker().deleteIdentity(id);
    setIdentity({ deleted: rec });
  });
}

/** Puts the last deleted identity back (as a new record: same name, coefficients, thumbnail, settings). */
export async function undoDelete(): Promise<void> {
  const rec = getIdentity().deleted;
  if (!rec) return;
  await guard(async () => {
    await spaceWorker().addIdentity({ name: rec.name, coef: rec.coef, space: rec.space, thumbnail: rec.thumbnail, settings: rec.settings });
    setIdentity({ deleted: undefined });
  });
}
export const duplicateIdentity = (id: string) => guard(() => spaceWorker().duplicateIdentity(id));

export function loadIdentity(id: string): void {
  const rec = getIdentity().library.find((r) => r.id === id);
  if (!rec) return;
  setIdentityCoef({ name: rec.name, coef: rec.coef, origin: { library: rec.id, ...rec.settings }, libraryId: rec.id });
}
