// Inversion from the page: files go to the engine worker as they are (it probes, decodes and runs the
// loop); progress, previews and checkpoints come back; the result is saved to the identity library.
import type { StepInfo } from '../../engine/invert/index';
import type { InversionCallbacks, InversionOutcome, InversionRequest, PendingInversion } from '../../../workers/protocol';
import { centeredCrop, viewCropToPhoto } from '../crop';
import { errorMessage } from '../errors';
import { getIdentity } from '../identity-store';
import { getInvert, setInvert, type InvertState } from '../invert-store';
import { getApp } from '../store';
import { Comlink, engineWorker, spaceWorker } from '../workers';
import { surviveDeviceLoss } from './device';
import { refreshLibrary } from './library-list';
import { setIdentityCoef } from './space';
import { autoFace, scoreInversion } from './face';
import { maskPixels, paintLayer, resetMaskLayer } from './mask-layer';

function replaceUrl(old: string | undefined, blob: Blob): string {
  if (old) URL.revokeObjectURL(old);
  return URL.createObjectURL(blob);
}

export async function openPhoto(file: File): Promise<void> {
  setInvert({ error: undefined, notes: [], saved: undefined });
  try {
    const view = await engineWorker().openPhoto(file, file.name);
    resetMaskLayer();
    setInvert((s) => ({ photo: { ...view, url: replaceUrl(s.photo?.url, view.view), file }, crop: undefined, masked: false, mode: 'crop', score: undefined }));
    await autoFace();
  } catch (e) {
    setInvert({ error: errorMessage(e) });
  }
}

export async function openMaskFile(file: File): Promise<void> {
  setInvert({ error: undefined });
  try {
    const { layer, notes } = await engineWorker().openMask(file, file.name);
    paintLayer(layer);
    setInvert({ notes, mode: 'brush' });
  } catch (e) {
    setInvert({ error: errorMessage(e) });
  }
}

export async function headEllipse(): Promise<void> {
  const { photo, crop } = getInvert();
  if (!photo) return;
  // In the crop square (what the model sees), where the head is, not over the whole photo.
  const c = crop ?? centeredCrop(photo.viewWidth, photo.viewHeight);
  const side = Math.round(c.size);
  paintLayer(await engineWorker().headEllipse(side, side), Math.round(c.x), Math.round(c.y));
}

const callbacks = () =>
  Comlink.proxy<InversionCallbacks>({
    onStep: (s: StepInfo) => setInvert((st) => ({ step: s.step, total: s.total, etaMs: s.etaMs, msPerStep: s.msPerStep, losses: [...st.losses, s.loss] })),
    onPreview: ({ step, png, score }) => setInvert((st) => ({ preview: { step, url: replaceUrl(st.preview?.url, png), score } })),
    onNotes: (notes) => setInvert((st) => ({ notes: [...st.notes, ...notes] })),
  });

function request(s: InvertState): InversionRequest {
  const { photo, crop } = s;
  const mask = s.masked ? maskPixels() : null;
  const { gen } = getApp();
  return {
    preset: s.preset,
    overrides: s.overrides,
    size: s.size,
    crop: crop && photo && viewCropToPhoto(crop, { width: photo.viewWidth, height: photo.viewHeight }, photo),
    mask: mask && { width: mask.width, height: mask.height, data: mask.data },
    checkpointEvery: s.checkpointEvery,
    preview: { every: s.previewEvery, steps: s.previewSteps, seed: 0, guidance: gen.guidance, negative: gen.negative, scheduler: gen.scheduler, score: s.scorePreviews },
  };
}

/** After a lost GPU device, in the fresh engine worker: the stored run from its last checkpoint. */
async function resumeAfterLoss(): Promise<InversionOutcome> {
  const p = await engineWorker().pendingInversion();
  if (!p) throw new Error('GPU device lost before the run was stored: start it again');
  setInvert((s) => ({ losses: [...p.losses], step: p.step, total: p.total, notes: [...s.notes, `GPU device lost: resumed from the checkpoint at step ${p.step} of ${p.total}.`] }));
  return engineWorker().resumeInversion(callbacks());
}

async function track(run: () => Promise<InversionOutcome>): Promise<void> {
  try {
    const out = await surviveDeviceLoss(run, resumeAfterLoss);
    setInvert({ best: out.best && out.best.step !== out.step ? { ...out.best, photoName: out.photoName } : undefined });
    if (out.status === 'cancelled') {
      setInvert({ phase: 'idle', pending: await engineWorker().pendingInversion() ?? undefined });
      return;
    }
    setInvert({ phase: 'saving' });
    await saveResult(out);
  } catch (e) {
    setInvert({ phase: 'error', error: errorMessage(e), pending: await engineWorker().pendingInversion().catch(() => null) ?? undefined });
  }
}

export async function startInversion(): Promise<void> {
  const s = getInvert();
  if (!s.photo || s.phase === 'running') return;
  const req = request(s);
  setInvert({ phase: 'running', error: undefined, notes: [], losses: [], step: 0, total: 0, etaMs: undefined, pending: undefined, saved: undefined, score: undefined, best: undefined, preview: undefined });
  await track(() => engineWorker().startInversion(req, callbacks()));
}

export async function resumeInversion(): Promise<void> {
  const pending = getInvert().pending;
  if (!pending) return;
  setInvert({ phase: 'running', error: undefined, notes: [], losses: [...pending.losses], step: pending.step, total: pending.total, pending: undefined, saved: undefined, best: undefined });
  await track(() => engineWorker().resumeInversion(callbacks()));
}

export function cancelInversion(): void {
  setInvert({ phase: 'cancelling' });
  void engineWorker().cancel('inversion');
}

/** After a reload: a stored run that did not finish is offered as "Resume". */
export async function checkPending(): Promise<void> {
  try {
    const pending: PendingInversion | null = await engineWorker().pendingInversion();
    if (getInvert().phase === 'idle') setInvert({ pending: pending ?? undefined });
  } catch (e) {
    setInvert({ error: errorMessage(e) });
  }
}

export async function discardPending(): Promise<void> {
  await engineWorker().discardInversion();
  setInvert({ pending: undefined });
}

/** Inverted coefficients (the run's components, zero-padded to the space's k) as a library entry, made current. */
async function addInverted(runCoef: Float32Array, name: string, settings: Record<string, unknown>, preview?: Blob) {
  const { space } = getIdentity();
  const coef = new Float32Array(Math.max(space?.k ?? 0, runCoef.length));
  coef.set(runCoef);
  const thumbnail = preview ? new Uint8Array(await preview.arrayBuffer()) : undefined;
  const rec = await spaceWorker().addIdentity({ name, coef, space: space?.id, thumbnail, settings });
  await refreshLibrary();
  setIdentityCoef({ name: rec.name, coef: rec.coef, origin: settings, libraryId: rec.id });
  return rec;
}

/** The library entry, then the current identity; the stored run is dropped only once it is saved. */
async function saveResult(out: InversionOutcome): Promise<void> {
  const settings = { inverted: { photo: out.photoName, ...out.settings, finalLoss: out.losses[out.losses.length - 1] } };
  const rec = await addInverted(out.coef, `inverted ${out.photoName}`, settings, out.preview);
  await engineWorker().discardInversion();
  // With previews on, the score's images generate now (still 'saving': the device runs one job at a time);
  // with them off, on request.
  lastCoef = rec.coef;
  if (getInvert().previewEvery > 0) await scoreInversion(rec.coef);
  setInvert({ phase: 'idle', saved: rec.name });
}

/** The last result's coefficients, for an identity score on request. */
let lastCoef: Float32Array | undefined;

export async function scoreLastResult(): Promise<void> {
  if (!lastCoef || getInvert().phase !== 'idle') return;
  setInvert({ phase: 'saving' });
  await scoreInversion(lastCoef);
  setInvert({ phase: 'idle' });
}

/** The run's best-scoring preview step as a library entry of its own, made the current identity. */
export async function restoreBest(): Promise<void> {
  const { best, phase } = getInvert();
  if (!best || phase !== 'idle') return;
  setInvert({ phase: 'saving' });
  try {
    const name = `inverted ${best.photoName} (best, step ${best.step})`;
    const rec = await addInverted(best.coef, name, { inverted: { photo: best.photoName, step: best.step, previewScore: best.score } });
    lastCoef = rec.coef;
    setInvert({ phase: 'idle', best: undefined, saved: rec.name, score: undefined });
  } catch (e) {
    setInvert({ phase: 'idle', error: errorMessage(e) });
  }
}
