// face-api's browser build (tfjs bundled) on tfjs's wasm backend, loaded once per engine worker. Its model
// files and the wasm binaries are served from the app's own origin (copied there by the build, vite.config.ts)
// and precached by the service worker, so detection works offline.
import { FACE_ASSET_DIR, loadFaceModels, type FaceModels, type FaceRuntime } from '../src/engine/face/index';

interface WebTf {
  setWasmPaths(prefix: string): void;
  env(): { set(flag: string, value: boolean): void };
}

/** face-api knows a page or Node; in a worker its canvas is an OffscreenCanvas and there are no media elements. */
class NoElement {
  constructor() {
    throw new Error('face detection in the worker takes pixels, not image or video elements');
  }
}
const workerEnv = {
  Canvas: OffscreenCanvas, CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D, Image: NoElement, ImageData, Video: NoElement,
  createCanvasElement: () => new OffscreenCanvas(1, 1), createImageElement: () => new NoElement(), createVideoElement: () => new NoElement(),
  fetch: (url: string, init?: RequestInit) => fetch(url, init),
  readFile: () => Promise.reject(new Error('no file system in the browser')),
};

const assetUrl = (name: string) => new URL(`${import.meta.env.BASE_URL}${FACE_ASSET_DIR}/${name}`, self.location.href).href;

async function fetchAsset(name: string): Promise<Uint8Array> {
  const res = await fetch(assetUrl(name));
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

let models: Promise<FaceModels> | undefined;

/** The face models, loading them on first use (a failed load is tried again on the next call). */
export function faceModels(): Promise<FaceModels> {
  models ??= (async () => {
    const api = (await import('@vladmandic/face-api/dist/face-api.esm.js')) as unknown as FaceRuntime & { tf: WebTf; env: { setEnv(e: object): void } };
    api.env.setEnv(workerEnv);
    // One thread: the threaded build would need its own worker script; the face nets are small.
    api.tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    api.tf.setWasmPaths(assetUrl(''));
    if (!(await api.tf.setBackend('wasm'))) throw new Error(`tfjs wasm backend did not start (${assetUrl('tfjs-backend-wasm-simd.wasm')})`);
    return loadFaceModels(api, fetchAsset);
  })();
  const p = models;
  p.catch(() => {
    if (models === p) models = undefined;
  });
  return p;
}
