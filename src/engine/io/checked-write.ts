// Writes whose byte counts are checked. FileSystemSyncAccessHandle.write() may return fewer bytes than
// given without throwing (seen in an off-the-record Chromium profile past ~1.3 GB): ignoring the count
// leaves holes of zeros in a file of the right size. A short write is retried; when the storage keeps
// refusing (or reports a count that cannot be true), the caller gets a StorageFullError and knows exactly
// which bytes made it.
import { isQuotaError } from '../space/kv';
import { formatBytes } from './format-bytes';

/** The part of FileSystemSyncAccessHandle the model cache uses (a test hook wraps it to simulate a full storage). */
export interface SyncHandle {
  /** Returns the bytes written, which may be fewer than given. */
  write(data: Uint8Array, opts: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

/** Short writes retried before the storage counts as full. */
const RETRIES = 2;

/** The storage took fewer bytes than given; `needed` is what the whole job still has to write. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  constructor(
    readonly path: string,
    /** Bytes of `path` kept (written with full counts) when the storage refused more. */
    readonly kept: number,
    readonly needed: number,
    cause?: unknown,
  ) {
    super(
      `storage full: the browser stopped accepting writes to ${path} after ${kept} bytes; ${needed} bytes (${formatBytes(needed)}) more are needed. ` +
        'Free space (other sites\' data, other cached models), allow this site persistent storage, or use a normal (not private) browser profile, ' +
        'then Retry: the bytes already written and verified are kept.' +
        (cause ? ` (${(cause as Error).message ?? cause})` : ''),
    );
  }
}

/** Writes all of `data` at `at` or throws StorageFullError (its `kept` = `at`: nothing of `data` counts). */
export function writeAll(handle: SyncHandle, data: Uint8Array, at: number, path: string, needed: number): void {
  let off = 0;
  for (let shortWrites = 0; off < data.length; ) {
    let n: number;
    try {
      n = handle.write(data.subarray(off), { at: at + off });
    } catch (e) {
      if (isQuotaError(e)) throw new StorageFullError(path, at, needed, e);
      throw e;
    }
    // Seen in an off-the-record profile near its limit: 4294967288 (-8 as an unsigned count) for 16 MiB.
    if (!Number.isInteger(n) || n < 0 || n > data.length - off)
      throw new StorageFullError(path, at, needed, `a write of ${data.length - off} bytes at byte ${at + off} reported ${n} written`);
    off += n;
    if (off < data.length && ++shortWrites > RETRIES) throw new StorageFullError(path, at, needed);
  }
}
