// The identity library (IndexedDB, in the space worker): save, rename, delete, duplicate, load.
import { getIdentity, setIdentity } from '../identity-store';
import { getApp } from '../store';
import { spaceWorker } from '../workers';
import { baseCoef, setIdentityCoef } from './space';

const message = (e: unknown) => (e as Error)?.message ?? String(e);

async function guard(f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
    setIdentity({ libraryError: undefined });
  } catch (e) {
    setIdentity({ libraryError: message(e) });
  }
  await refreshLibrary();
}

export async function refreshLibrary(): Promise<void> {
  try {
    setIdentity({ library: await spaceWorker().listIdentities() });
  } catch (e) {
    setIdentity({ libraryError: message(e) });
  }
}

/** Saves the current identity (with its top-PC offsets) and the latest image as thumbnail. */
export async function saveIdentity(name: string): Promise<void> {
  const { identity, space } = getIdentity();
  const coef = baseCoef();
  if (!identity || !coef) return;
  const latest = getApp().gallery[0];
  const thumbnail = latest ? new Uint8Array(await latest.png.arrayBuffer()) : undefined;
  await guard(async () => {
    const rec = await spaceWorker().addIdentity({ name, coef, space: space?.id, thumbnail, settings: { ...identity.origin } });
    setIdentity({ identity: { ...identity, name: rec.name, libraryId: rec.id } });
  });
}

export const renameIdentity = (id: string, name: string) => guard(() => spaceWorker().renameIdentity(id, name));
export const deleteIdentity = (id: string) => guard(() => spaceWorker().deleteIdentity(id));
export const duplicateIdentity = (id: string) => guard(() => spaceWorker().duplicateIdentity(id));

export function loadIdentity(id: string): void {
  const rec = getIdentity().library.find((r) => r.id === id);
  if (!rec) return;
  setIdentityCoef({ name: rec.name, coef: rec.coef, origin: { library: rec.id, ...rec.settings }, libraryId: rec.id });
}
