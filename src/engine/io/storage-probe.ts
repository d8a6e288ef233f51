// Whether the storage can really take a download before it starts. The quota estimate is no promise: an
// off-the-record Chromium profile (storage in memory, navigator.storage.persisted() false) estimated
// 10.74 GB free and could not hold 2.55 GB; growing a file there with truncate() past what fits returned
// without error and left the size unchanged. So the probe sets a file to the size needed, reads the size
// back, and gives the bytes back at once.
import { isQuotaError } from '../space/kv';
import { formatBytes } from './format-bytes';
import { opfsRoot } from './cache';
import type { SyncHandle } from './checked-write';

const PROBE = '.storage-probe';

/** The storage refused the room a download needs; nothing was downloaded. */
export class NotEnoughStorageError extends Error {
  override name = 'NotEnoughStorageError';
}

/** Throws NotEnoughStorageError unless a file of `bytes` can be made in the model cache's storage. */
export async function probeStorage(bytes: number, wrapHandle?: (h: SyncHandle) => SyncHandle): Promise<void> {
  const root = await opfsRoot();
  const raw = await (await root.getFileHandle(PROBE, { create: true })).createSyncAccessHandle();
  const h = wrapHandle ? wrapHandle(raw) : raw;
  let got = 0;
  let why = '';
  try {
    h.truncate(bytes);
    got = h.getSize();
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    why = ` (${(e as Error).message})`;
  } finally {
    h.truncate(0);
    h.close();
    await root.removeEntry(PROBE).catch(() => undefined);
  }
  if (got === bytes) return;
  const estimate = await navigator.storage.estimate?.().catch(() => undefined);
  const free = estimate?.quota !== undefined && estimate.usage !== undefined ? ` (the browser's estimate said ${formatBytes(estimate.quota - estimate.usage)} free)` : '';
  throw new NotEnoughStorageError(
    `not enough storage: this browser profile could not set aside ${formatBytes(bytes)} for the download${free}${why}. ` +
      'Nothing was downloaded. Free space (other sites\' data, other cached models), allow this site persistent storage, ' +
      'or use a normal (not private) browser profile, then Retry.',
  );
}
