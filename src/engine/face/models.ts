// The face models (from @vladmandic/face-api's model/ folder): a detector, 68 landmarks and a 128-D descriptor.
// The runtime (face-api on tfjs: the Node build in the CLI/tests, the browser build in the worker) and the
// bytes of each file are passed in, so the same code loads them from node_modules, the app's origin or a cache.
import type { FaceRuntime, WeightSpec } from './runtime';

export type { FaceRuntime } from './runtime';

/**
 * The tiny detector, not SSD-MobileNet: on the test photos SSD also "finds" a face (score 0.93) covering
 * the cat in chelsea.png, the tiny one does not (docs/face.md).
 */
export const FACE_NETS = {
  detector: 'tiny_face_detector_model',
  landmarks: 'face_landmark_68_model',
  descriptor: 'face_recognition_model',
} as const;

/** Every file the nets need, as named in the package's model/ folder (manifest + its one weight shard). */
export const FACE_MODEL_FILES: string[] = Object.values(FACE_NETS).flatMap((n) => [`${n}-weights_manifest.json`, `${n}.bin`]);

/** Where the app serves them (and tfjs's wasm binaries), under its base URL. */
export const FACE_ASSET_DIR = 'face-models';

/** Reads one model file by name; rejects (or throws) when it cannot. */
export type ReadModelFile = (name: string) => Promise<Uint8Array>;

export interface FaceModels {
  api: FaceRuntime;
}

interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

async function readNamed(read: ReadModelFile, name: string): Promise<Uint8Array> {
  try {
    return await read(name);
  } catch (e) {
    throw new Error(`face model file ${name}: cannot be read (${(e as Error)?.message ?? e})`);
  }
}

/** One net's tensors from its manifest and shard(s). */
export async function weightMap(api: FaceRuntime, read: ReadModelFile, net: string) {
  const file = `${net}-weights_manifest.json`;
  let groups: ManifestGroup[];
  try {
    groups = JSON.parse(new TextDecoder().decode(await readNamed(read, file)));
    if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g.paths) && Array.isArray(g.weights))) throw new Error('not a weights manifest');
  } catch (e) {
    throw new Error(`face model file ${file}: ${(e as Error).message}`);
  }
  const specs = groups.flatMap((g) => g.weights);
  const shards = await Promise.all(groups.flatMap((g) => g.paths).map((p) => readNamed(read, p)));
  const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  shards.reduce((at, s) => (bytes.set(s, at), at + s.length), 0);
  try {
    return api.tf.io.decodeWeights(bytes.buffer as ArrayBuffer, specs);
  } catch (e) {
    // A truncated or corrupt shard: the manifest's sizes do not match the bytes.
    throw new Error(`face model file ${groups[0]?.paths[0] ?? file}: corrupt (${(e as Error).message})`);
  }
}

/** Loads the three nets into `api`; an error names the file that failed. */
export async function loadFaceModels(api: FaceRuntime, read: ReadModelFile): Promise<FaceModels> {
  const [det, marks, desc] = await Promise.all(Object.values(FACE_NETS).map((n) => weightMap(api, read, n)));
  api.nets.tinyFaceDetector.loadFromWeightMap(det);
  api.nets.faceLandmark68Net.loadFromWeightMap(marks);
  api.nets.faceRecognitionNet.loadFromWeightMap(desc);
  return { api };
}
