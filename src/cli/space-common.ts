// What the space commands share: the UNet's LoRA layout from a model folder (configs only, no weights),
// the space from a folder on disk, identity files in and out.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseUNetConfig } from '../engine/io/config';
import { folderFromPath } from '../engine/io/model-folder-node';
import { openPath } from '../engine/io/source-node';
import { loraLayout, type LoraLayout } from '../engine/models/lora';
import { spaceFolderFromPath } from '../engine/space/files-node';
import { loadSpace } from '../engine/space/load';
import type { Space } from '../engine/space/space';
import { EXPORT_FORMATS, exportIdentity, importIdentity, type ExportFormat, type Imported } from '../engine/space/transfer';
import { list, num, str, type Flags } from './args';
import { adapterConfigBeside } from './lora-file';

export async function layoutOf(modelDir: string): Promise<LoraLayout> {
  return loraLayout(parseUNetConfig(await folderFromPath(modelDir).json('unet/config.json')));
}

export async function openSpace(dir: string, layout: LoraLayout, f: Flags): Promise<Space> {
  let last = '';
  const space = await loadSpace(spaceFolderFromPath(dir), {
    layout,
    k: f.k === undefined ? undefined : num(f, 'k'),
    pcs: f.pcs === undefined ? undefined : num(f, 'pcs'),
    onProgress: ({ file, done, total }) => {
      if (total > 64 << 20 && file + Math.floor((10 * done) / total) !== last) {
        last = file + Math.floor((10 * done) / total);
        process.stderr.write(`\rreading ${file}: ${Math.floor((100 * done) / total)}%   `);
      }
    },
  });
  if (last) process.stderr.write('\n');
  return space;
}

/** An identity file (w2w .pt or any LoRA safetensors), with an adapter_config.json beside it honoured. */
export async function readIdentity(space: Space, layout: LoraLayout, path: string): Promise<Imported> {
  return importIdentity(space, layout, await openPath(path), await adapterConfigBeside(path));
}

export const FORMAT_HELP = EXPORT_FORMATS.join('|');

export function formatsOf(f: Flags): ExportFormat[] {
  const fs = list(f, 'format');
  for (const x of fs) if (!EXPORT_FORMATS.includes(x as ExportFormat)) throw new Error(`--format must be one of ${FORMAT_HELP}, got ${x}`);
  return fs.length ? (fs as ExportFormat[]) : ['w2w'];
}

/** Writes the identity in each format under `outDir`; returns the paths written. */
export async function writeIdentity(space: Space, layout: LoraLayout, coef: Float32Array, f: Flags, outDir = str(f, 'out')): Promise<string[]> {
  const written: string[] = [];
  for (const format of formatsOf(f))
    for (const file of exportIdentity(space, layout, coef, format, { fp16: f.fp16 === true })) {
      const path = join(outDir, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.bytes);
      written.push(path);
    }
  return written;
}

export const SPACE_FLAGS = ['model', 'space', 'k', 'pcs', 'out', 'format', 'fp16'];
export const SPACE_SPEC = { repeat: ['format'], boolean: ['fp16'] };
