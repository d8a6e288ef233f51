// Faces in the engine worker: face-api's browser build (tfjs bundled) on tfjs's wasm backend. Its model files
// and the wasm binaries are served from the app's own origin (copied there by the build, vite.config.ts) and
// precached by the service worker, so detection works offline. A failure to load leaves the manual tools.
import {
  autoFrame, centreEllipseMask, detectFaces, FACE_ASSET_DIR, loadFaceModels, scoreIdentity,
  type FaceModels, type FaceRuntime, type IdentityScore, type ScoreSettings,
} from '../src/engine/face/index';
import type { CropSquare } from '../src/engine/invert/index';
import type { Rgba } from '../src/engine/sd/image';
import { openedPhoto, type InversionContext } from './invert';
import { layerOf, readImageFile } from './invert-photo';

/** What the page gets on a photo drop: the crop (view pixels; none = centre crop), the brush layer and the notes. */
export interface AutoFace {
  crop?: CropSquare;
  layer: Rgba;
  fromFace: boolean;
  notes: string[];
}

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

function faceModels(): Promise<FaceModels> {
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

/** Photo pixels → the view's pixels, kept inside the view. */
function toView(c: CropSquare, s: number, w: number, h: number): CropSquare {
  const size = Math.min(c.size * s, w, h);
  return { size, x: Math.min(Math.max(c.x * s, 0), w - size), y: Math.min(Math.max(c.y * s, 0), h - size) };
}

export function faceApi(ctx: InversionContext) {
  const photo = async () => {
    const p = openedPhoto();
    if (!p) throw new Error('drop a photo first');
    return { view: p.view, img: await readImageFile(p.file, p.name) };
  };
  return {
    /** The open photo's automatic crop and head mask (or the centre crop and ellipse, with a note). */
    async autoFace(): Promise<AutoFace> {
      const { view, img } = await photo();
      let frame;
      try {
        frame = autoFrame(await detectFaces(await faceModels(), img), img);
      } catch (e) {
        const notes = [`face detection unavailable (${(e as Error)?.message ?? e}): the centre crop and the head ellipse are used`];
        frame = { mask: centreEllipseMask(img.width, img.height), fromFace: false, notes };
      }
      const crop = frame.crop && toView(frame.crop, view.viewWidth / view.width, view.viewWidth, view.viewHeight);
      return { crop, layer: layerOf(frame.mask, view), fromFace: frame.fromFace, notes: frame.notes };
    },

    /** The identity score of coefficients `coef` against the open photo (the device's generation job). */
    async identityScore(coef: Float32Array, settings: Partial<ScoreSettings>): Promise<IdentityScore> {
      const { img } = await photo();
      const models = await faceModels();
      const sd = ctx.sd();
      const lora = await ctx.space().thetaAsync(coef);
      return ctx.jobs.run('generation', () => scoreIdentity(sd, models, img, lora, settings));
    },
  };
}
