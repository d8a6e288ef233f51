// Where a space's files are and which `<n>pc` files it has. Names are those of the hub repo
// `snap-research/weights2weights`, folder `files/`; n is discovered from the listing, never assumed.
import type { ModelFolder } from '../io/model-folder';
import { folderFromFiles, folderFromUrl } from '../io/model-folder';
import type { UrlOptions } from '../io/source';

export const SPACE_FILES = ['mean.pt', 'std.pt', 'V.pt', 'identity_df.pt', 'weight_dimensions.pt'] as const;

export interface SpaceFolder extends Pick<ModelFolder, 'describe' | 'source'> {
  /** File names in the folder, when the folder can be listed. */
  list?(): Promise<string[]>;
  /** File names with their sizes in bytes, when the listing says them. */
  listSizes?(): Promise<Map<string, number>>;
}

export const projFile = (n: number) => `proj_${n}pc.pt`;
export const pinverseFile = (n: number) => `pinverse_${n}pc.pt`;

/** The n of every proj_<n>pc.pt that has its pinverse_<n>pc.pt, largest first. */
export function pcsInListing(names: readonly string[]): number[] {
  const have = new Set(names);
  return names
    .map((f) => /^proj_(\d+)pc\.pt$/.exec(f))
    .filter((m): m is RegExpExecArray => !!m && have.has(pinverseFile(Number(m[1]))))
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
}

/** The `<n>pc` pair to use: `want` when given, else the largest pair the listing has. */
export async function discoverPcs(folder: SpaceFolder, want?: number): Promise<number> {
  if (want !== undefined) return want;
  if (!folder.list)
    throw new Error(`cannot list ${folder.describe} to find its proj_<n>pc.pt / pinverse_<n>pc.pt files: give the number of PCs (n) explicitly`);
  const found = pcsInListing(await folder.list());
  if (!found.length) throw new Error(`${folder.describe} has no proj_<n>pc.pt with a matching pinverse_<n>pc.pt`);
  return found[0];
}

/** The files an import reads (every one streamed through whole) and their sizes: SPACE_FILES and the largest `<n>pc` pair. */
export function importFiles(sizes: ReadonlyMap<string, number>): { name: string; size: number }[] {
  const n = pcsInListing([...sizes.keys()])[0];
  if (n === undefined) throw new Error('the listing has no proj_<n>pc.pt with a matching pinverse_<n>pc.pt');
  const names = [...SPACE_FILES, projFile(n), pinverseFile(n)];
  const missing = names.filter((f) => !sizes.has(f));
  if (missing.length) throw new Error(`the listing lacks ${missing.join(', ')}`);
  return names.map((name) => ({ name, size: sizes.get(name)! }));
}

/** Dropped files keyed by name (a leading folder path is ignored). */
export function spaceFolderFromFiles(files: Map<string, Blob>, describe = 'the selected files'): SpaceFolder {
  const byName = new Map([...files].map(([k, b]) => [k.split(/[\\/]/).pop()!, b]));
  const f = folderFromFiles(byName, describe);
  return { describe, source: f.source, list: async () => [...byName.keys()] };
}

/**
 * A folder served over HTTP in hub layout (`<origin>/<owner>/<repo>/resolve/<rev>/<dir>`), listed through
 * the hub's tree API (`<origin>/api/models/<owner>/<repo>/tree/<rev>/<dir>`) when the server has one.
 */
export function spaceFolderFromUrl(base: string, opts: UrlOptions = {}): SpaceFolder {
  const f = folderFromUrl(base, opts);
  const m = /^(https?:\/\/[^/]+)\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/?(.*)$/.exec(base.replace(/\/+$/, ''));
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const entries = m
    ? async () => {
        const api = `${m[1]}/api/models/${m[2]}/tree/${m[3]}/${m[4]}`;
        const res = await doFetch(api, { headers: opts.headers }).catch((e: Error) => {
          throw new Error(`network error listing ${api}: ${e.message}`);
        });
        if (!res.ok) throw new Error(`cannot list ${base} (HTTP ${res.status} from ${api}): give the number of PCs (n) explicitly`);
        const all = (await res.json()) as { path?: string; type?: string; size?: number; lfs?: { size?: number } }[];
        return all.filter((e) => e.type !== 'directory' && typeof e.path === 'string');
      }
    : undefined;
  // An LFS entry's own size is its pointer's; the file's is under lfs.
  const listSizes = entries && (async () => new Map((await entries()).map((e) => [e.path!.split('/').pop()!, e.lfs?.size ?? e.size ?? 0])));
  const list = listSizes && (async () => [...(await listSizes()).keys()]);
  return { describe: f.describe, source: f.source, list, listSizes };
}
