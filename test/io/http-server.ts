// A local HTTP file server for the URL source tests, with switchable Range support.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface ServeOptions {
  /** Honor Range headers (206); false = always 200 with the whole file, like a naive server. */
  ranges?: boolean;
  /** Send Content-Range on 206 (false mimics a CORS server that hides it). */
  contentRange?: boolean;
}

export interface Served {
  url: string;
  /** "METHOD path range" per request, for asserting how much was fetched. */
  log: string[];
  close(): Promise<void>;
}

/** Serves files by URL path; `lookup` returns a file's bytes or null (404). */
export async function serve(lookup: (urlPath: string) => Promise<Uint8Array | null>, opts: ServeOptions = {}): Promise<Served> {
  const { ranges = true, contentRange = true } = opts;
  const log: string[] = [];
  const server = createServer(async (req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    log.push(`${req.method} ${urlPath} ${req.headers.range ?? ''}`.trim());
    const body = await lookup(urlPath);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const m = ranges ? /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '') : null;
    if (!m) {
      res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': ranges ? 'bytes' : 'none' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), body.length - 1);
    if (start >= body.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    const headers: Record<string, string | number> = { 'Content-Length': end - start + 1 };
    if (contentRange) headers['Content-Range'] = `bytes ${start}-${end}/${body.length}`;
    res.writeHead(206, headers);
    res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/** Serves `root` under `prefix` (e.g. "/owner/repo/resolve/main"), reading files in place. */
export function serveDir(root: string, prefix = '', opts: ServeOptions = {}): Promise<Served> {
  return serve(async (urlPath) => {
    if (!urlPath.startsWith(`${prefix}/`)) return null;
    const file = path.join(root, urlPath.slice(prefix.length));
    if (!file.startsWith(root)) return null;
    try {
      return await readFile(file);
    } catch {
      return null;
    }
  }, opts);
}
