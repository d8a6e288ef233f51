// Inversion: send photo, crop, mask and settings to the engine worker; progress, previews, cancel,
// resume; the result becomes the current identity and lands in the library.
import type { InvertProgress, InvertStart } from '../../../workers/invert-job';
import { getInvert, setInvert } from '../invert-store';
import { getApp, setApp } from '../store';
import { Comlink, engineWorker, spaceWorker } from '../workers';
import { refreshLibrary } from './library';
import { setIdentityCoef } from './space';

const message = (e: unknown) => (e as Error)?.message ?? String(e);

export async function setPhoto(file: File): Promise<void> {
  const old = getInvert().photo;
  if (old) URL.revokeObjectURL(old.url);
  setInvert({ error: undefined, crop: undefined, mask: null });
  try {
    // Only the size here; decoding for the model happens in the worker, with every check.
    const bmp = await createImageBitmap(file);
    setInvert({ photo: { file, url: URL.createObjectURL(file), width: bmp.width, height: bmp.height } });
    bmp.close();
  } catch {
    setInvert({ photo: undefined, error: `${file.name}: not an image this browser can decode` });
  }
}

export async function refreshSaved(): Promise<void> {
  setInvert({ saved: (await engineWorker().savedInversion()) ?? undefined });
}

const onStart = Comlink.proxy((s: InvertStart) =>
  setInvert({ modelView: { photo: URL.createObjectURL(s.photo), mask: URL.createObjectURL(s.mask) }, notes: s.notes, total: s.settings.steps }),
);

const onProgress = Comlink.proxy((p: InvertProgress) => {
  if (p.preview) {
    const old = getInvert().preview;
    if (old) URL.revokeObjectURL(old);
    setInvert({ preview: URL.createObjectURL(p.preview) });
    return;
  }
  setInvert((s) => ({ step: p.step, total: p.total, etaMs: p.etaMs, losses: [...s.losses, p.loss] }));
});

export async function startInversion(resume = false): Promise<void> {
  const { photo, crop, mask, form } = getInvert();
  const model = getApp().model;
  if (!model || (!resume && !photo)) return;
  setInvert({ running: true, error: undefined, result: undefined, notes: [], ...(resume ? {} : { losses: [], step: 0, preview: undefined }) });
  if (resume) setInvert({ losses: (await engineWorker().savedInversion())?.losses ?? [] });
  try {
    const request = resume
      ? 'resume'
      : {
          photo: { name: photo!.file.name, bytes: new Uint8Array(await photo!.file.arrayBuffer()) },
          mask: mask ? { name: 'painted mask', bytes: new Uint8Array(await mask.arrayBuffer()) } : null,
          crop,
          preset: form.preset,
          overrides: { steps: form.steps, components: form.components, lr: form.lr, seed: form.seed },
          previewEvery: form.previewEvery,
          previewSteps: form.previewSteps,
          checkpointEvery: 10,
          size: Math.min(getApp().gen.width, model.defaultSize),
        };
    const out = await engineWorker().invert(request, onStart, onProgress);
    if (out.cancelled) {
      setInvert({ notes: [`cancelled at step ${out.step}; Resume continues from there`] });
    } else {
      const name = `inverted ${resume ? getInvert().saved?.photo ?? 'photo' : photo!.file.name}`;
      const settings = { inverted: true, ...out.settings, finalLoss: out.losses[out.losses.length - 1] };
      const rec = await spaceWorker().addIdentity({ name, coef: out.coef, settings });
      setIdentityCoef({ name: rec.name, coef: out.coef, origin: settings, libraryId: rec.id });
      setInvert({ result: rec.name });
      await refreshLibrary();
    }
  } catch (e) {
    setInvert({ error: message(e) });
  } finally {
    setInvert({ running: false });
    await refreshSaved();
  }
}

export function cancelInversion(): void {
  void engineWorker().cancel();
}

export async function discardSaved(): Promise<void> {
  await engineWorker().dropInversion();
  await refreshSaved();
}

export const showResult = () => setApp({ tab: 'create' });
