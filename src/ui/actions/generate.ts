// Text to image in the engine worker, with a live preview per step; results go to the gallery.
import type { StepPreview } from '../../../workers/protocol';
import { errorMessage, isCancelled } from '../errors';
import { getApp, setApp, type GalleryItem, type IdentityInput } from '../store';
import { Comlink, engineWorker } from '../workers';
import { surviveDeviceLoss } from './device';

const BASE: IdentityInput = { label: 'base model', lora: null, lora2: null, switchAt: 1000 };

export async function generateImage(identity: IdentityInput = BASE): Promise<GalleryItem | undefined> {
  const { gen, model } = getApp();
  if (!model || getApp().generating) return;
  setApp({ generating: true, genError: undefined, preview: undefined });
  try {
    const onStep = Comlink.proxy((p: StepPreview) => {
      const url = URL.createObjectURL(p.png);
      setApp((s) => {
        if (s.preview) URL.revokeObjectURL(s.preview.url);
        return { preview: { step: p.step, total: p.total, url } };
      });
    });
    // The same settings again on a fresh engine worker if the GPU device is lost meanwhile.
    const run = () => engineWorker().generate({ ...gen, lora: identity.lora, lora2: identity.lora2, switchAt: identity.switchAt }, onStep);
    const out = await surviveDeviceLoss(run, run);
    const item: GalleryItem = {
      id: crypto.randomUUID(), url: URL.createObjectURL(out.png), png: out.png, width: out.width, height: out.height,
      settings: { ...gen }, identity: identity.label, ms: out.ms,
      loras: { lora: identity.lora, lora2: identity.lora2, switchAt: identity.switchAt },
    };
    setApp((s) => ({ gallery: [item, ...s.gallery] }));
    return item;
  } catch (e) {
    setApp({ genError: isCancelled(e) ? 'cancelled' : errorMessage(e) });
  } finally {
    setApp({ generating: false });
  }
}

export function cancelJob(): void {
  void engineWorker().cancel('generation');
}

export function removeFromGallery(id: string): void {
  setApp((s) => {
    const gone = s.gallery.find((g) => g.id === id);
    if (gone) URL.revokeObjectURL(gone.url);
    return { gallery: s.gallery.filter((g) => g.id !== id) };
  });
}
