// The face models in Node (CLI and tests): face-api's Node build on tfjs's wasm backend (no native
// tfjs-node), model files read from the installed @vladmandic/face-api package. Loaded once per process.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadFaceModels, type FaceModels, type FaceRuntime } from '../engine/face/models';

const require = createRequire(import.meta.url);

/** The package's model/ folder. */
export const FACE_MODEL_DIR = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');

let runtime: Promise<FaceRuntime> | undefined;
let loaded: Promise<FaceModels> | undefined;

/** face-api with its tfjs on the wasm backend. */
export function faceRuntimeNode(): Promise<FaceRuntime> {
  return (runtime ??= (async () => {
    const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceRuntime;
    if (!(await api.tf.setBackend('wasm'))) throw new Error('tfjs wasm backend did not start (@tensorflow/tfjs-backend-wasm)');
    await api.tf.ready();
    return api;
  })());
}

export function faceModelsNode(dir = FACE_MODEL_DIR): Promise<FaceModels> {
  loaded ??= (async () => loadFaceModels(await faceRuntimeNode(), (name) => readFile(join(dir, name))))();
  const p = loaded;
  // A failed load is not cached: the next call tries again.
  p.catch(() => {
    if (loaded === p) loaded = undefined;
  });
  return p;
}
