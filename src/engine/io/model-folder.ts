// A diffusers model directory (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/),
// wherever it lives: on a server, in dropped files, or on disk (model-folder-node.ts).
import { fromBlob, MissingFileError, openUrl, type ByteSource, type UrlOptions } from './source';

export interface ModelFolder {
  /** Where the folder is, for messages. */
  readonly describe: string;
  /** Paths are relative with forward slashes, e.g. "unet/config.json". */
  json(path: string): Promise<any>;
  text(path: string): Promise<string>;
  source(path: string): Promise<ByteSource>;
  /** Whether the file exists (all folders here implement it). */
  has?(path: string): Promise<boolean>;
}

export const missingFile = (path: string, describe: string): MissingFileError =>
  new MissingFileError(`missing file: ${path} in ${describe}`);

/** Rejects paths that could leave the folder. */
/** Opens a file of a folder; a missing one is named by its path in the folder rather than by its URL or disk path. */
export async function openInFolder(open: () => Promise<ByteSource>, path: string, describe: string): Promise<ByteSource> {
  try {
    return await open();
  } catch (e) {
    if (e instanceof MissingFileError) throw missingFile(path, describe);
    throw e;
  }
}

export function checkRelative(path: string): string {
  const parts = path.split('/');
  if (!path || path.startsWith('/') || path.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..'))
    throw new Error(`bad model file path ${JSON.stringify(path)}: expected a relative path like "unet/config.json"`);
  return path;
}

export function parseJson(text: string, path: string, describe: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`invalid JSON in ${path} in ${describe}: ${(e as Error).message}`);
  }
}

/** A folder served over HTTP, e.g. base = "https://huggingface.co/owner/repo/resolve/main". */
export function folderFromUrl(base: string, opts: UrlOptions = {}): ModelFolder {
  const root = base.replace(/\/+$/, '');
  const describe = root;
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const urlOf = (path: string) => `${root}/${checkRelative(path).split('/').map(encodeURIComponent).join('/')}`;
  const get = async (path: string, method = 'GET'): Promise<Response | null> => {
    const url = urlOf(path);
    let res: Response;
    try {
      res = await doFetch(url, { method, headers: opts.headers });
    } catch (e) {
      throw new Error(`network error fetching ${url}: ${(e as Error).message}`);
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for ${url}`);
    return res;
  };
  const text = async (path: string): Promise<string> => {
    const res = await get(path);
    if (!res) throw missingFile(path, describe);
    return res.text();
  };
  return {
    describe,
    text,
    json: async (path) => parseJson(await text(path), path, describe),
    source: (path) => openInFolder(() => openUrl(urlOf(path), opts), path, describe),
    async has(path) {
      const res = await get(path, 'HEAD');
      return res !== null;
    },
  };
}

/**
 * Files picked or dropped by the user, keyed by relative path ("unet/config.json"). A dropped folder's
 * own name ("my-model/unet/config.json", as webkitRelativePath gives it) is stripped when
 * model_index.json sits right under it.
 */
export function folderFromFiles(files: Map<string, Blob>, describe = 'the selected files'): ModelFolder {
  const byPath = new Map<string, Blob>();
  for (const [key, blob] of files) byPath.set(key.replace(/\\/g, '/').replace(/^\.?\//, ''), blob);
  if (!byPath.has('model_index.json')) {
    const tops = new Set([...byPath.keys()].map((k) => k.split('/')[0]));
    const [top] = tops;
    if (tops.size === 1 && byPath.has(`${top}/model_index.json`))
      for (const [key, blob] of [...byPath]) {
        byPath.delete(key);
        byPath.set(key.slice(top.length + 1), blob);
      }
  }
  const blob = (path: string): Blob => {
    const b = byPath.get(checkRelative(path));
    if (!b) throw missingFile(path, describe);
    return b;
  };
  return {
    describe,
    text: async (path) => blob(path).text(),
    json: async (path) => parseJson(await blob(path).text(), path, describe),
    source: async (path) => fromBlob(blob(path), path),
    has: async (path) => byPath.has(checkRelative(path)),
  };
}
