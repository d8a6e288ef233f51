// Test hooks of the engine worker, on only when the page was opened with `?testHooks=1` (it calls
// enableTestHooks): destroying the GPU device (device.ts), the storage probe's threshold, and a storage that fills up the way an
// off-the-record Chromium profile's did: writes come back short without throwing, and growing a file with
// truncate() silently leaves its size as it was.
import type { SyncHandle } from '../src/engine/io/checked-write';

let enabled = false;
/** Bytes the simulated storage still takes; undefined = no limit. */
let free: number | undefined;
/** Downloads of at least this many bytes probe a storage that is not persistent first (storage-probe.ts). */
let probeFrom = 256 * 2 ** 20;

export const probeThreshold = (): number => probeFrom;

export const testHooksEnabled = (): boolean => enabled;

export function requireTestHooks(): void {
  if (!enabled) throw new Error('test hooks are off (the page enables them with ?testHooks=1)');
}

/** A cache file handle on the simulated storage: whatever grows a file past `free` bytes is refused silently. */
function limited(h: SyncHandle): SyncHandle {
  return {
    write(data, { at }) {
      const size = h.getSize();
      const fits = free === undefined ? data.length : Math.max(0, Math.min(data.length, size + free - at));
      const n = fits > 0 ? h.write(data.subarray(0, fits), { at }) : 0;
      if (free !== undefined) free -= h.getSize() - size;
      return n;
    },
    truncate(n) {
      const size = h.getSize();
      if (free !== undefined && n - size > free) return;
      h.truncate(n);
      if (free !== undefined) free -= n - size;
    },
    getSize: () => h.getSize(),
    flush: () => h.flush(),
    close: () => h.close(),
  };
}

export const testHooksApi = {
  enableTestHooks(): void {
    enabled = true;
  },

  /** Test only: the cache's storage takes `bytes` more from now on; null lifts the limit ("free space"). */
  limitWritesForTest(bytes: number | null): void {
    requireTestHooks();
    free = bytes ?? undefined;
  },

  /** Test only: probe the storage before downloads of at least `bytes` (the fixture is far below the default). */
  probeDownloadsFromForTest(bytes: number): void {
    requireTestHooks();
    probeFrom = bytes;
  },
};

/** The handle wrapper to pass to the cache: the simulated storage when hooks are on, else none. */
export const testHandleWrapper = (): ((h: SyncHandle) => SyncHandle) | undefined => (enabled ? limited : undefined);
