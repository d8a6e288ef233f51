// Test hooks of the engine worker, on only when the page was opened with `?testHooks=1` (it calls
// enableTestHooks): destroying the GPU device (device.ts) and a storage that takes short writes.
import type { SyncWrite } from '../src/engine/io/checked-write';

let enabled = false;
/** Bytes the simulated storage still accepts; undefined = no limit. */
let writeBudget: number | undefined;

export function requireTestHooks(): void {
  if (!enabled) throw new Error('test hooks are off (the page enables them with ?testHooks=1)');
}

/** Model-cache writes through the simulated storage: once its budget is spent, writes come back short without throwing. */
export const limitedWrite = (write: SyncWrite): SyncWrite => (data, at) => {
  if (writeBudget === undefined) return write(data, at);
  const n = Math.min(writeBudget, data.length);
  const written = n > 0 ? write(data.subarray(0, n), at) : 0;
  writeBudget -= written;
  return written;
};

export const testHooksApi = {
  enableTestHooks(): void {
    enabled = true;
  },

  /** Test only: from now on the cache's writes accept `bytes` more in all, then return short counts; null lifts the limit ("free space"). */
  limitWritesForTest(bytes: number | null): void {
    requireTestHooks();
    writeBudget = bytes ?? undefined;
  },
};

/** The write wrapper to pass to downloads: the simulated storage when hooks are on, else none. */
export const testWriteWrapper = (): ((w: SyncWrite) => SyncWrite) | undefined => (enabled ? limitedWrite : undefined);
