// A space folder on local disk (Node only, so browser bundles never import node:fs).
import { readdir } from 'node:fs/promises';
import { folderFromPath } from '../io/model-folder-node';
import type { SpaceFolder } from './files';

export function spaceFolderFromPath(dir: string): SpaceFolder {
  const f = folderFromPath(dir);
  return { describe: f.describe, source: f.source, list: () => readdir(f.describe) };
}
