// Inversion in the engine worker: the photo and its brush mask → inputs, the loop with step reports,
// preview images and checkpoints. The job (photo file, crop, mask, settings) and its latest state live in
// IndexedDB, so after a reload the page can offer to resume exactly where the run stopped.
import { del, get, set } from 'idb-keyval';
import {
  invert, InversionCancelled, preparePhoto, prepareMask, resolveSettings,
  type CropSquare, type InversionSettings, type InversionState, type PresetName, type StepInfo,
} from '../src/engine/invert/index';
import { saveCheckpoint } from '../src/engine/invert/checkpoint-save';
import { keepBest, scoreImages, type BestStep } from '../src/engine/face/identity-score';
import { tensorToRgba, type Rgba } from '../src/engine/sd/image';
import { generate } from '../src/engine/sd/pipeline';
import type { StableDiffusion } from '../src/engine/sd/stable-diffusion';
import type { Space } from '../src/engine/space/space';
import { isBasisSource } from '../src/engine/space/basis-graph';
import { GpuOutOfMemory } from '../src/engine/runtime/gpu-weights';
import { faceModels } from './face-models';
import type { JobGate } from './jobs';
import { ellipseLayer, maskLayer, photoView, readImageFile, type PhotoView } from './invert-photo';
import { encodePng } from './preview';

/** What the engine worker lends to its job modules: the loaded model and space (throwing when absent). */
export interface EngineContext {
  sd(): StableDiffusion;
  space(): Space;
  /** The device's one job at a time (workers/jobs.ts). */
  jobs: JobGate;
}

/** Inversion also places the space's V_k. */
export interface InversionContext extends EngineContext {
  /** Where the space's V_k products run (a note for the user). */
  basisNote(): string;
  /** After V_k did not fit in GPU memory: a smaller or CPU placement, described; undefined when none is left. */
  basisFallback(): Promise<string | undefined>;
}

export interface PreviewSettings {
  /** Every N steps (and after the last); 0 = none. */
  every: number;
  steps: number;
  seed: number;
  guidance: number;
  negative: string;
  scheduler: 'pndm' | 'ddim';
  /** Also score each preview against the photo's face and keep the best step (for "Restore best"). */
  score: boolean;
}

export interface InversionRequest {
  preset: PresetName;
  /** Overrides of the preset (undefined keeps the preset's value). */
  overrides: Partial<InversionSettings>;
  /** Model input side in pixels (default the model's). */
  size?: number;
  /** Source-pixel square; none = the reference's center crop. */
  crop?: CropSquare;
  /** The brush layer at the view's size; none = all ones. */
  mask: Rgba | null;
  checkpointEvery: number;
  preview: PreviewSettings;
}

interface StoredJob {
  request: InversionRequest;
  photo: Blob;
  photoName: string;
  settings: InversionSettings;
  state?: InversionState;
  preview?: Blob;
  /** The best-scoring preview so far (with previews scored); stored with the checkpoints. */
  best?: BestStep;
}

export interface PendingInversion {
  photoName: string;
  step: number;
  total: number;
  losses: number[];
  settings: InversionSettings;
  preview?: Blob;
}

export interface InversionCallbacks {
  onStep?: (s: StepInfo) => void;
  /** `score`: the preview's similarity to the photo's face (0 = no face drawn), when previews are scored. */
  onPreview?: (p: { step: number; png: Blob; score?: number }) => void;
  onNotes?: (notes: string[]) => void;
}

export interface InversionOutcome {
  /** 'done' with the coefficients, or 'cancelled' (resumable from the stored state). */
  status: 'done' | 'cancelled';
  photoName: string;
  coef: Float32Array;
  losses: number[];
  step: number;
  settings: InversionSettings;
  preview?: Blob;
  /** The best-scoring preview of the run, when previews were scored. */
  best?: BestStep;
}

const JOB = 'w2w-inversion/job';

let photo: { name: string; file: Blob; view: PhotoView } | undefined;

/** The photo the panel has open (workers/face.ts reads it). */
export const openedPhoto = () => photo;

function summary(job: StoredJob): PendingInversion {
  return {
    photoName: job.photoName, step: job.state?.adam.step ?? 0, total: job.settings.steps,
    losses: job.state?.losses ?? [], settings: job.settings, preview: job.preview,
  };
}

async function previewImage(sd: StableDiffusion, space: Space, coef: Float32Array, job: StoredJob): Promise<Rgba> {
  const p = job.request.preview;
  const size = job.request.size ?? sd.defaultImageSize;
  const { image } = await generate(sd, {
    prompt: job.settings.prompt, negative: p.negative, seed: p.seed, steps: p.steps, guidance: p.guidance,
    scheduler: p.scheduler, width: size, height: size, lora: await space.thetaAsync(coef),
  });
  return tensorToRgba(image);
}

/**
 * Scores previews against the photo's face: the similarity of each (0 when it draws no face). Undefined
 * once scoring is off, or the photo has no face or the face models fail to load (a note says which).
 */
function previewScorer(photo: Rgba, cb: InversionCallbacks) {
  let on = true;
  return async (seed: number, image: Rgba): Promise<number | undefined> => {
    if (!on) return;
    try {
      const r = await scoreImages(await faceModels(), photo, [{ seed, image }]);
      if (r.score !== null) return r.score;
      cb.onNotes?.(['previews are not scored: no face in the photo']);
    } catch (e) {
      cb.onNotes?.([`previews are not scored: face models unavailable (${(e as Error)?.message ?? e})`]);
    }
    on = false;
  };
}

const store = (job: StoredJob) => set(JOB, job);

async function run(ctx: InversionContext, job: StoredJob, cb: InversionCallbacks): Promise<InversionOutcome> {
  const sd = ctx.sd();
  const space = ctx.space();
  const { request } = job;
  const size = request.size ?? sd.defaultImageSize;
  const img = await readImageFile(job.photo, job.photoName);
  const p = preparePhoto(img, size, request.crop, job.photoName);
  const latent = size / sd.vaeScaleFactor;
  // The brush layer covers the whole photo at the view's size: the crop box in its pixels.
  const m = request.mask;
  const box = m ? ([p.box[0] * (m.width / img.width), p.box[1] * (m.height / img.height), p.box[2] * (m.width / img.width), p.box[3] * (m.height / img.height)] as const) : p.box;
  const mask = prepareMask(m, m ?? img, [...box] as typeof p.box, latent, latent, 'mask');
  cb.onNotes?.(mask.notes);

  const every = Math.max(1, Math.floor(request.checkpointEvery));
  // 0 = no previews.
  const previewEvery = Math.max(0, Math.floor(request.preview.every));
  const finish = (status: InversionOutcome['status'], s: InversionState): InversionOutcome => ({
    status, photoName: job.photoName, coef: s.coef, losses: s.losses, step: s.adam.step, settings: job.settings, preview: job.preview, best: job.best,
  });
  const score = request.preview.score ? previewScorer(img, cb) : undefined;
  cb.onNotes?.([ctx.basisNote()]);
  const options = (signal: AbortSignal) => ({
    resume: job.state,
    signal,
    onStep: cb.onStep,
    // Called every step; checkpoints and previews keep their own cadence (and both happen at the end).
    checkpointEvery: 1,
    onCheckpoint: async (s: InversionState) => {
      const step = s.adam.step;
      const last = step === job.settings.steps;
      if (previewEvery > 0 && (step % previewEvery === 0 || last)) {
        const image = await previewImage(sd, space, s.coef, job);
        job.preview = await encodePng(image);
        const similarity = await score?.(request.preview.seed, image);
        if (similarity !== undefined) job.best = keepBest(job.best, { step, score: similarity, coef: s.coef.slice() });
        cb.onPreview?.({ step, png: job.preview, score: similarity });
      }
      if (step % every === 0 || last) await saveCheckpoint(store, job, s);
    },
  });
  return ctx.jobs.run('inversion', async (signal) => {
    for (;;) {
      try {
        return finish('done', await invert(sd, space, { image: p.image, mask }, job.settings, options(signal)));
      } catch (e) {
        if (e instanceof InversionCancelled) {
          await saveCheckpoint(store, job, e.state);
          return finish('cancelled', e.state);
        }
        // V_k did not fit in GPU memory: place it smaller (or on the CPU) and go on from the last checkpoint.
        const fallback = e instanceof GpuOutOfMemory && isBasisSource(e.source) ? await ctx.basisFallback() : undefined;
        if (!fallback) throw e;
        cb.onNotes?.([fallback]);
      }
    }
  }, { replace: true });
}

export function invertApi(ctx: InversionContext) {
  return {
    /** Reads and decodes a dropped photo (every check before any model work); keeps it for the run. */
    async openPhoto(file: Blob, name: string): Promise<PhotoView> {
      const view = await photoView(name, await readImageFile(file, name));
      photo = { name, file, view };
      return view;
    },

    /** A dropped mask file as a brush layer over the open photo. */
    async openMask(file: Blob, name: string): Promise<{ layer: Rgba; notes: string[] }> {
      if (!photo) throw new Error('drop a photo first: a mask is painted over it');
      return maskLayer(file, name, photo.view);
    },

    headEllipse(width: number, height: number): Rgba {
      return ellipseLayer(width, height);
    },

    /** Starts a new run on the open photo (replacing any stored one); resolves when it ends or is cancelled. */
    async startInversion(request: InversionRequest, cb: InversionCallbacks): Promise<InversionOutcome> {
      if (!photo) throw new Error('drop a photo first');
      ctx.jobs.admit('inversion'); // before the stored run is replaced
      const { settings, notes } = resolveSettings(request.preset, request.overrides, ctx.space().k);
      cb.onNotes?.(notes);
      const job: StoredJob = { request, photo: photo.file, photoName: photo.name, settings };
      await set(JOB, job);
      return run(ctx, job, cb);
    },

    /** The stored run, if one did not finish (after a reload, a cancel, or a lost GPU device: in the fresh worker). */
    async pendingInversion(): Promise<PendingInversion | null> {
      const job = (await get(JOB)) as StoredJob | undefined;
      return job ? summary(job) : null;
    },

    /** Continues the stored run from its last checkpoint. */
    async resumeInversion(cb: InversionCallbacks): Promise<InversionOutcome> {
      const job = (await get(JOB)) as StoredJob | undefined;
      if (!job) throw new Error('no inversion to resume');
      photo = { name: job.photoName, file: job.photo, view: await photoView(job.photoName, await readImageFile(job.photo, job.photoName)) };
      return run(ctx, job, cb);
    },

    /** Forgets the stored run (after its result is saved, or when the user discards it). */
    async discardInversion(): Promise<void> {
      ctx.jobs.cancel('inversion');
      await del(JOB);
    },
  };
}
