// Static server for the e2e tests: the Vite build, cross-origin isolated, and model files in Hugging Face
// hub layout (`/<owner>/<repo>/resolve/main/<path>`) with Range support like the hub's. Files are read in
// place; in-memory files (a truncated copy, a generated reference) can shadow or add to any URL path.
// Optionally the hub's content headers (X-Linked-Etag = an LFS file's SHA-256, ETag = a git blob SHA-1
// otherwise), and a file served with one byte flipped (same size, header intact) for the next N responses.
// Standalone (`npx tsx e2e/server.ts`): dist/, ../shared/fixtures as owner "test" and the ops reference.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(REPO_ROOT, 'dist');
export const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures');

export interface ServerOptions {
  /** Directory served at `/`; omit for a hub-only server (e.g. on a second origin). */
  dist?: string;
  /** Hub owner → directory holding that owner's repos, e.g. { test: FIXTURES }. */
  owners?: Record<string, string>;
  /** URL path → bytes, served before any file on disk. */
  files?: Record<string, Uint8Array>;
  /**
   * Send the hub's content headers on hub paths: for *.safetensors (LFS on the hub) `X-Linked-Etag` and `ETag`
   * with the SHA-256 of the bytes (computed at startup) and `X-Linked-Size`; for other files the git blob SHA-1.
   */
  linkedEtag?: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  range?: string;
  status: number;
}

export interface TestServer {
  /** Origin, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** Every request answered, in order. */
  requests: RequestRecord[];
  /** Adds or replaces an in-memory file. */
  setFile(urlPath: string, bytes: Uint8Array): void;
  /** The next `responses` GETs of `urlPath` carry its middle byte inverted (size and headers unchanged). */
  flipByte(urlPath: string, responses: number): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const COMMON_HEADERS = {
  // Cross-origin isolation (SharedArrayBuffer for wasm threads), and resources usable from any origin.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  // CORS as the hub sends it, so a page on another origin can read sizes and ranges.
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Range, Content-Type',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges, ETag, X-Linked-Etag, X-Linked-Size',
  'Cache-Control': 'no-store',
};

const HUB_PATH = /^\/([^/]+)\/([^/]+)\/resolve\/main\/(.+)$/;

export type ParsedRange = { start: number; end: number } | 'unsatisfiable' | null;

/** One `bytes=` range against a file of `size` bytes; null = serve the whole file (absent, or several ranges). */
export function parseRange(header: string | undefined, size: number): ParsedRange {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.includes(',') ? null : 'unsatisfiable';
  const [, a, b] = m;
  if (a === '' && b === '') return 'unsatisfiable';
  if (a === '') {
    // Suffix range: the last b bytes.
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  return end < start ? 'unsatisfiable' : { start, end };
}

/** Where a URL path lives on disk, or null when it maps nowhere; never escapes its root. */
function resolveOnDisk(urlPath: string, opts: ServerOptions): string | null {
  const hub = HUB_PATH.exec(urlPath);
  if (hub) {
    const [, owner, repo, file] = hub;
    const root = opts.owners?.[owner];
    return root ? inside(root, path.join(repo, file)) : null;
  }
  if (!opts.dist) return null;
  return inside(opts.dist, urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath);
}

function inside(root: string, rel: string): string | null {
  const base = path.resolve(root);
  const full = path.resolve(base, `./${rel}`);
  return full.startsWith(base + path.sep) ? full : null;
}

const typeOf = (p: string): string => TYPES[path.extname(p)] ?? 'application/octet-stream';

type Body = { size: number; stream: (start: number, end: number) => Readable; type: string };

/** Content headers per hub URL path (see ServerOptions.linkedEtag). */
type Etags = Map<string, Record<string, string>>;

function contentHeaders(bytes: Uint8Array, urlPath: string): Record<string, string> {
  if (!urlPath.endsWith('.safetensors')) {
    // What the hub sends for a file kept in git: the blob's SHA-1, not a hash of the content alone.
    const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    return { ETag: `"${blob}"` };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { 'X-Linked-Etag': `"${sha256}"`, 'X-Linked-Size': String(bytes.length), ETag: `"${sha256}"` };
}

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else if (e.isFile()) yield p;
  }
}

/** The content headers of every hub file (on disk under the owners, and in memory), computed once at startup. */
async function hubEtags(opts: ServerOptions, files: Map<string, Uint8Array>): Promise<Etags> {
  const out: Etags = new Map();
  for (const [owner, root] of Object.entries(opts.owners ?? {}))
    for await (const file of filesUnder(root)) {
      const [repo, ...rest] = path.relative(root, file).split(path.sep);
      if (!rest.length) continue;
      const urlPath = `/${owner}/${repo}/resolve/main/${rest.join('/')}`;
      out.set(urlPath, contentHeaders(await readFile(file), urlPath));
    }
  for (const [urlPath, bytes] of files) if (HUB_PATH.test(urlPath)) out.set(urlPath, contentHeaders(bytes, urlPath));
  return out;
}

/** `body` with the byte at size/2 inverted. */
function flipped(body: Body): Body {
  const mid = Math.floor(body.size / 2);
  return {
    ...body,
    stream: (start, end) => {
      const out = body.stream(start, end);
      if (mid < start || mid > end) return out;
      let at = start;
      return out.map((chunk: Buffer) => {
        const c = Buffer.from(chunk);
        if (mid >= at && mid < at + c.length) c[mid - at] ^= 0xff;
        at += c.length;
        return c;
      });
    },
  };
}

async function findBody(urlPath: string, opts: ServerOptions, files: Map<string, Uint8Array>): Promise<Body | null> {
  const mem = files.get(urlPath);
  if (mem) return { size: mem.length, type: typeOf(urlPath), stream: (s, e) => Readable.from([Buffer.from(mem.subarray(s, e + 1))]) };
  const file = resolveOnDisk(urlPath, opts);
  if (!file) return null;
  let st: Stats;
  try {
    st = await stat(file);
  } catch {
    return null;
  }
  if (!st.isFile()) return null;
  // An empty range cannot be expressed to createReadStream (end is inclusive).
  const stream = (start: number, end: number) => (end < start ? Readable.from([]) : createReadStream(file, { start, end }));
  return { size: st.size, type: typeOf(file), stream };
}

interface State {
  files: Map<string, Uint8Array>;
  etags: Etags;
  /** URL path → GET responses still to serve with a flipped byte. */
  flips: Map<string, number>;
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ServerOptions, state: State) {
  const method = req.method ?? 'GET';
  for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
  if (method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    res.writeHead(204).end();
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD, OPTIONS' }).end();
    return;
  }
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  let body = await findBody(urlPath, opts, state.files);
  if (!body) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${urlPath}\n`);
    return;
  }
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', body.type);
  for (const [k, v] of Object.entries(state.etags.get(urlPath) ?? {})) res.setHeader(k, v);
  const flips = state.flips.get(urlPath) ?? 0;
  if (method === 'GET' && flips > 0) {
    state.flips.set(urlPath, flips - 1);
    body = flipped(body);
  }
  const range = parseRange(req.headers.range, body.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${body.size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: body.size - 1 };
  res.setHeader('Content-Length', String(end - start + 1));
  if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${body.size}`);
  res.writeHead(range ? 206 : 200);
  if (method === 'HEAD') {
    res.end();
    return;
  }
  body.stream(start, end).pipe(res);
}

export async function startServer(opts: ServerOptions): Promise<TestServer> {
  const files = new Map(Object.entries(opts.files ?? {}));
  const state: State = { files, etags: opts.linkedEtag ? await hubEtags(opts, files) : new Map(), flips: new Map() };
  const requests: RequestRecord[] = [];
  const server = createServer((req, res) => {
    res.on('finish', () =>
      requests.push({ method: req.method ?? '', path: req.url ?? '', range: req.headers.range, status: res.statusCode }),
    );
    handle(req, res, opts, state).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500).end(e.message);
      else res.destroy(e);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFile: (p, bytes) => {
      files.set(p, bytes);
      if (opts.linkedEtag && HUB_PATH.test(p)) state.etags.set(p, contentHeaders(bytes, p));
    },
    flipByte: (p, responses) => void state.flips.set(p, responses),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { OPS_REFERENCE_PATH, opsReference } = await import('./ops-reference');
  const s = await startServer({ dist: DIST, owners: { test: FIXTURES }, files: { [OPS_REFERENCE_PATH]: await opsReference() } });
  console.log(`serving ${DIST}, and ${FIXTURES} as /test/<repo>/resolve/main/…`);
  console.log(`conformance page: ${s.url}/conformance.html (?backend=wasm|webgpu&in=main|worker&checks=…)`);
}
