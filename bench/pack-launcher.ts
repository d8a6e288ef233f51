// bench.mjs of the packed bench: onnxruntime's native library (46 MB, over the folder's 40 MB) ships gzipped;
// it is written out once, beside the binding that loads it, before the bundle first imports onnxruntime-node.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const lib = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1');
if (!existsSync(lib) && existsSync(`${lib}.gz`)) {
  // Written under another name and renamed: a second process never loads a half-written library.
  const part = `${lib}.${process.pid}.part`;
  writeFileSync(part, gunzipSync(readFileSync(`${lib}.gz`)));
  renameSync(part, lib);
}
// @ts-expect-error: the bundle exists only in the packed folder.
await import('./bench-bundle.mjs');
