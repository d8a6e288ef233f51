// Inversion in the engine worker: photo (+ mask) intake, the loop with progress, previews and
// checkpoints in IndexedDB (photo, mask, crop and optimizer state), so Cancel → Resume, or a reload, picks
// up where it stopped.
import * as idb from 'idb-keyval';
import { intake, type ImageDecoder, type ImageFile } from '../src/engine/invert/intake';
import { invert, InversionCancelled, type StepInfo } from '../src/engine/invert/loop';
import type { CropSquare } from '../src/engine/invert/photo';
import { resolveSettings, type InversionSettings, type PresetName } from '../src/engine/invert/settings';
import type { InversionState } from '../src/engine/invert/state';
import type { Rgba } from '../src/engine/sd/image';
import { generate } from '../src/engine/sd/pipeline';
import { tensorToRgba } from '../src/engine/sd/image';
import type { StableDiffusion } from '../src/engine/sd/stable-diffusion';
import type { Space } from '../src/engine/space/space';
import { encodePng } from './preview';

export interface InvertRequest {
  photo: ImageFile;
  /** A mask image (white = head), e.g. the brush canvas as PNG; null = the whole image. */
  mask: ImageFile | null;
  crop?: CropSquare;
  preset: PresetName;
  overrides: Partial<InversionSettings>;
  /** A preview image every this many steps (0 = none), with `previewSteps` denoising steps. */
  previewEvery: number;
  previewSteps: number;
  checkpointEvery: number;
  size: number;
}

export interface InvertProgress extends StepInfo {
  /** A preview image of the identity so far (sent as its own message after the step). */
  preview?: Blob;
}

export interface InvertStart {
  /** The model's view of the photo (crop, resized) and the mask at latent resolution, as PNG. */
  photo: Blob;
  mask: Blob;
  notes: string[];
  settings: InversionSettings;
}

export interface InvertOutcome {
  coef: Float32Array;
  losses: number[];
  settings: InversionSettings;
  cancelled: boolean;
  step: number;
}

interface Checkpoint {
  request: InvertRequest;
  state: InversionState;
}

const CHECKPOINT = 'w2w-app/inversion-checkpoint';

/** createImageBitmap decodes off the main thread and honours EXIF orientation. */
const decode: ImageDecoder = async (bytes, _probe, name) => {
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), { imageOrientation: 'from-image' });
  } catch (e) {
    throw new Error(`${name}: the browser cannot decode this image (${(e as Error).message})`);
  }
  const canvas = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  bmp.close();
  const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return { width, height, data };
};

function maskRgba(mask: Float32Array, width: number, height: number): Rgba {
  const data = new Uint8ClampedArray(width * height * 4);
  mask.forEach((m, i) => data.fill(m ? 255 : 0, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4));
  return { width, height, data };
}

export async function savedCheckpoint(): Promise<{ step: number; total: number; photo: string; losses: number[] } | null> {
  const c = (await idb.get(CHECKPOINT)) as Checkpoint | undefined;
  return c ? { step: c.state.adam.step, total: c.state.settings.steps, photo: c.request.photo.name, losses: c.state.losses } : null;
}

export const dropCheckpoint = (): Promise<void> => idb.del(CHECKPOINT);

export async function runInversion(
  sd: StableDiffusion,
  space: Space,
  req: InvertRequest | 'resume',
  signal: AbortSignal,
  onStart: (s: InvertStart) => void,
  onProgress: (p: InvertProgress) => void,
): Promise<InvertOutcome> {
  let resume: InversionState | undefined;
  if (req === 'resume') {
    const c = (await idb.get(CHECKPOINT)) as Checkpoint | undefined;
    if (!c) throw new Error('no interrupted inversion to resume');
    req = c.request;
    resume = c.state;
  }
  const request = req;
  const input = await intake(request.photo, request.mask, decode, sd, { size: request.size, crop: request.crop });
  const { settings, notes } = resolveSettings(request.preset, request.overrides, space.k);
  onStart({
    photo: await encodePng(input.pixels),
    mask: await encodePng(maskRgba(input.mask.data, input.mask.width, input.mask.height)),
    notes: [...input.notes, ...notes],
    settings,
  });
  const save = (state: InversionState) => idb.set(CHECKPOINT, { request, state } satisfies Checkpoint);
  const preview = async (coef: Float32Array) => {
    const { image } = await generate(sd, {
      prompt: settings.prompt, seed: 0, steps: request.previewSteps, guidance: 2.5, width: request.size, height: request.size,
      lora: space.theta(coef), signal,
    });
    return encodePng(tensorToRgba(image));
  };
  const every = (n: number, step: number) => n > 0 && (step % n === 0 || step === settings.steps);
  let last: StepInfo | undefined;
  try {
    const state = await invert(sd, space, input, settings, {
      resume,
      signal,
      // Called at every multiple of either period: checkpoints and previews share the hook that sees the state.
      checkpointEvery: gcd(request.checkpointEvery, request.previewEvery) || 1,
      onCheckpoint: async (s) => {
        const step = s.adam.step;
        if (every(request.checkpointEvery, step)) await save(s);
        // Previews run between steps, so the sessions are never used concurrently.
        if (every(request.previewEvery, step) && last && !signal.aborted) {
          // A cancel during a preview: the loop stops with its state at its next step.
          const p = await preview(s.coef).catch((e: Error) => (signal.aborted ? null : Promise.reject(e)));
          if (p) onProgress({ ...last, preview: p });
        }
      },
      onStep: (info) => {
        last = info;
        onProgress(info);
      },
    });
    await dropCheckpoint();
    return { coef: state.coef, losses: state.losses, settings, cancelled: false, step: state.adam.step };
  } catch (e) {
    if (!(e instanceof InversionCancelled)) throw e;
    await save(e.state);
    return { coef: e.state.coef, losses: e.state.losses, settings, cancelled: true, step: e.state.adam.step };
  }
}

const gcd = (a: number, b: number): number => (b > 0 ? gcd(b, a % b) : a);
