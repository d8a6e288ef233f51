// Where a model comes from (a hub repo or a mirror in the hub's layout, or a folder the user picked) and
// which of its files the engine reads.
import type { RemoteFile } from '../src/engine/io/cache';
import { weightPath } from '../src/engine/sd/weight-files';

export type ModelSource =
  | { kind: 'hub'; hub: string; repo: string }
  /** Files keyed by relative path ("unet/config.json"); File objects survive postMessage. */
  | { kind: 'files'; name: string; files: Map<string, File> };

export type PrecisionName = 'fp32' | 'fp16';

/** The files StableDiffusion.load and its sessions read; `variant` picks e.g. *.fp16.safetensors. */
export function modelFiles(variant?: string): string[] {
  return [
    'model_index.json',
    'unet/config.json',
    weightPath('unet', variant),
    'vae/config.json',
    weightPath('vae', variant),
    'text_encoder/config.json',
    weightPath('text', variant),
    'tokenizer/vocab.json',
    'tokenizer/merges.txt',
    'scheduler/scheduler_config.json',
  ];
}

/** The revision downloads resolve; with the repo it keys the cache (the server does not). */
export const REVISION = 'main';

export const hubBase = (hub: string, repo: string): string => `${hub.replace(/\/+$/, '')}/${repo.replace(/^\/+|\/+$/g, '')}/resolve/${REVISION}`;

export const describeSource = (s: ModelSource): string => (s.kind === 'hub' ? hubBase(s.hub, s.repo) : s.name);

export function remoteFiles(s: { hub: string; repo: string }, paths: readonly string[]): RemoteFile[] {
  const base = hubBase(s.hub, s.repo);
  return paths.map((path) => ({ path, url: `${base}/${path.split('/').map(encodeURIComponent).join('/')}` }));
}
