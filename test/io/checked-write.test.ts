import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/engine/io/cache';
import { StorageFullError, writeAll, type SyncHandle } from '../../src/engine/io/checked-write';

/** A file in memory whose writes take at most `takes[i]` bytes on call i (then all), or throw `fail`. */
function memoryFile(takes: number[] = [], fail?: Error): SyncHandle & { bytes: Uint8Array; calls: number } {
  const f = {
    bytes: new Uint8Array(0),
    calls: 0,
    write(data: Uint8Array, { at }: { at: number }) {
      if (fail) throw fail;
      const n = Math.min(data.length, takes[f.calls++] ?? data.length);
      if (at + n > f.bytes.length) {
        const grown = new Uint8Array(at + n);
        grown.set(f.bytes);
        f.bytes = grown;
      }
      f.bytes.set(data.subarray(0, n), at);
      return n;
    },
    truncate: () => undefined,
    getSize: () => f.bytes.length,
    flush: () => undefined,
    close: () => undefined,
  };
  return f;
}

const data = Uint8Array.from({ length: 100 }, (_, i) => i + 1);

describe('writeAll', () => {
  it('writes the remainder of a short write at the right offset', () => {
    const f = memoryFile([30, 50]);
    writeAll(f, data, 10, 'a.bin', 100);
    expect(f.calls).toBe(3);
    expect(Array.from(f.bytes.subarray(10))).toEqual(Array.from(data));
  });

  it('reports storage full after the retries, keeping the offset it started at and the bytes needed', () => {
    const f = memoryFile([30, 0, 0, 0]);
    let err: unknown;
    try {
      writeAll(f, data, 10, 'unet/w.safetensors', 5000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageFullError);
    expect(err).toMatchObject({ path: 'unet/w.safetensors', kept: 10, needed: 5000 });
    expect((err as Error).message).toMatch(/^storage full: the browser stopped accepting writes to unet\/w\.safetensors after 10 bytes; 5000 bytes \(5\.0 kB\) more are needed\./);
    // The short write and two retries.
    expect(f.calls).toBe(3);
  });

  it('turns a QuotaExceededError into storage full, and passes other errors through', () => {
    const quota = Object.assign(new Error('would exceed its storage quota'), { name: 'QuotaExceededError' });
    expect(() => writeAll(memoryFile([], quota), data, 0, 'x', 100)).toThrow(/^storage full: .* \(would exceed its storage quota\)$/);
    expect(() => writeAll(memoryFile([], new Error('disk on fire')), data, 0, 'x', 100)).toThrow(/^disk on fire$/);
  });

  it('takes a count that cannot be true for a full storage (an off-the-record profile returned -8 as unsigned)', () => {
    const f = memoryFile();
    f.write = () => 4294967288;
    expect(() => writeAll(f, data, 7, 'x', 100)).toThrow(/^storage full: .* after 7 bytes; .* \(a write of 100 bytes at byte 7 reported 4294967288 written\)$/);
  });
});

describe('cacheKey', () => {
  it('names a repo at a revision, whatever server it comes from, and keeps distinct repos apart', () => {
    expect(cacheKey('stablediffusionapi/realistic-vision-v51', 'main')).toBe('models--stablediffusionapi--realistic-vision-v51@main');
    expect(cacheKey('/test/tiny-sd-a/', 'main')).toBe('models--test--tiny-sd-a@main');
    expect(cacheKey('a/b_c', 'main')).not.toBe(cacheKey('a_b/c', 'main'));
    expect(cacheKey('a/b', 'v1')).not.toBe(cacheKey('a/b', 'main'));
  });
});
