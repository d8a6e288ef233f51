// Text to image in the engine worker, with a live preview per step; results go to the gallery (the newest first).
import type { StepPreview } from '../../../workers/protocol';
import { errorMessage, isCancelled } from '../errors';
import { GALLERY_MAX, getApp, setApp, useApp, type GalleryItem, type IdentityInput } from '../store';
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
    setApp((s) => {
      // The gallery keeps the newest GALLERY_MAX images (also what a reload restores).
      for (const gone of s.gallery.slice(GALLERY_MAX - 1)) URL.revokeObjectURL(gone.url);
      return { gallery: [item, ...s.gallery.slice(0, GALLERY_MAX - 1)] };
    });
    return item;
  } catch (e) {
    setApp({ genError: isCancelled(e) ? 'cancelled' : errorMessage(e) });
  } finally {
    setApp({ generating: false });
  }
}

/** Generates now: a running generation is cancelled first, so the newest request wins. */
export async function generateLatest(identity: IdentityInput): Promise<GalleryItem | undefined> {
  if (getApp().generating) {
    cancelJob();
    await new Promise<void>((resolve) => {
      const off = useApp.subscribe((s) => {
        if (s.generating) return;
        off();
        resolve();
      });
    });
  }
  return generateImage(identity);
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
