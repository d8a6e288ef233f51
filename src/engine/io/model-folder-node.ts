// A model folder on local disk (Node only, so browser bundles never import node:fs).
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkRelative, missingFile, openInFolder, parseJson, type ModelFolder } from './model-folder';
import { openPath } from './source-node';

export function folderFromPath(dir: string): ModelFolder {
  const describe = resolve(dir);
  const full = (path: string) => join(describe, checkRelative(path));
  const text = async (path: string): Promise<string> => {
    try {
      return await readFile(full(path), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw missingFile(path, describe);
      throw e;
    }
  };
  return {
    describe,
    text,
    json: async (path) => parseJson(await text(path), path, describe),
    source: (path) => openInFolder(() => openPath(full(path)), path, describe),
    async has(path) {
      try {
        return (await stat(full(path))).isFile();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      }
    },
  };
}
