// Random-access byte sources: the engine reads weight files one tensor at a time, so a multi-GB file is
// never held whole in memory, whether it sits in memory, in a dropped File, behind HTTP or on disk.
// Browser-safe: the Node file source lives in source-node.ts.

export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** `length` bytes from `offset`, in a fresh array the caller owns. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A file that does not exist (HTTP 404, ENOENT, absent from a dropped folder). */
export class MissingFileError extends Error {
  override name = 'MissingFileError';
}

/** Throws unless [offset, offset+length) lies inside the source. */
export function checkRange(src: { name: string; size: number }, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0)
    throw new Error(`bad read of ${src.name}: offset ${offset}, length ${length}`);
  if (offset + length > src.size)
    throw new Error(`read past the end of ${src.name}: bytes ${offset}..${offset + length} of ${src.size}`);
}

export function fromBytes(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(offset, length) {
      checkRange(this, offset, length);
      return bytes.slice(offset, offset + length);
    },
  };
}

/** A File (drag-and-drop, <input type=file>) or any Blob; reads slice it, so nothing is loaded up front. */
export function fromBlob(blob: Blob, name?: string): ByteSource {
  const label = name ?? ((blob as Partial<File>).name || 'blob');
  return {
    name: label,
    size: blob.size,
    async read(offset, length) {
      checkRange(this, offset, length);
      const bytes = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      if (bytes.length !== length) throw new Error(`short read of ${label}: ${bytes.length} of ${length} bytes`);
      return bytes;
    },
  };
}

export interface UrlOptions {
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

// The first request fetches this much: the length prefix and JSON header of a safetensors file (SD 1.5's
// UNet header is ~100 KB) then come out of it instead of two more round trips.
const FIRST_CHUNK = 256 * 1024;

/** A file served over HTTP with Range support (the Hugging Face hub, a CDN, `vite preview`, ...). */
export async function openUrl(url: string, opts: UrlOptions = {}): Promise<ByteSource> {
  // Unbound `fetch` throws "Illegal invocation" in browsers.
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const request = async (init: { method?: string; range?: string }): Promise<Response> => {
    const headers = { ...opts.headers, ...(init.range ? { Range: `bytes=${init.range}` } : {}) };
    try {
      return await doFetch(url, { method: init.method ?? 'GET', headers });
    } catch (e) {
      throw new Error(`network error fetching ${url}: ${(e as Error).message}`);
    }
  };
  // Anything but 206 for a ranged GET; the body is cancelled so a 200 does not download the whole file.
  const notPartial = (res: Response): Error => {
    void res.body?.cancel().catch(() => {});
    if (res.status === 404) return new MissingFileError(`missing file: ${url}`);
    if (res.ok)
      return new Error(
        `server ignored the Range header for ${url} (HTTP ${res.status} instead of 206): ` +
          'random access to large files needs a server with HTTP Range support',
      );
    return new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for ${url}`);
  };
  const sizeFromHead = async (): Promise<number> => {
    const res = await request({ method: 'HEAD' });
    if (!res.ok) throw notPartial(res);
    const n = Number(res.headers.get('content-length') ?? NaN);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new Error(`cannot learn the size of ${url}: no Content-Range or Content-Length header`);
    return n;
  };

  const first = await request({ range: `0-${FIRST_CHUNK - 1}` });
  let size: number;
  let head = new Uint8Array(0);
  if (first.status === 416) {
    // Range not satisfiable: an empty file ("Content-Range: bytes */0").
    void first.body?.cancel().catch(() => {});
    size = totalFromContentRange(first.headers.get('content-range')) ?? (await sizeFromHead());
  } else if (first.status === 206) {
    head = new Uint8Array(await first.arrayBuffer());
    // Content-Range is hidden from cross-origin scripts unless the server exposes it; HEAD's
    // Content-Length is always readable.
    size = totalFromContentRange(first.headers.get('content-range')) ?? (await sizeFromHead());
    if (head.length !== Math.min(FIRST_CHUNK, size))
      throw new Error(`short read of ${url}: got ${head.length} bytes of ${Math.min(FIRST_CHUNK, size)}`);
  } else {
    throw notPartial(first);
  }

  const src: ByteSource = {
    name: url,
    size,
    async read(offset, length) {
      checkRange(this, offset, length);
      // The first chunk is kept: header reads of a safetensors file come out of it.
      if (offset + length <= head.length || length === 0) return head.slice(offset, offset + length);
      const res = await request({ range: `${offset}-${offset + length - 1}` });
      if (res.status !== 206) throw notPartial(res);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length !== length)
        throw new Error(`short read of ${url}: got ${bytes.length} bytes of ${length} at offset ${offset}`);
      return bytes;
    },
  };
  return src;
}

// The total of a Content-Range ("bytes 0-9/1234", or "bytes *" + "/0" on a 416); null when absent or unknown.
function totalFromContentRange(header: string | null): number | null {
  const m = header ? /\/\s*(\d+)\s*$/.exec(header) : null;
  return m ? Number(m[1]) : null;
}
