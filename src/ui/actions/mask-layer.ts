// The head mask as painted on the page: the mask layer's canvas (MaskEditor registers it), kept while another
// tab is open; what the tools, the automatic mask and a dropped mask file paint into.
import type { Rgba } from '../../engine/sd/image';
import { getInvert, setInvert } from '../invert-store';

/** The mask layer's canvas (MaskEditor registers it): its pixels are the brush mask at the view's size. */
let maskCanvas: HTMLCanvasElement | null = null;
// The painted layer while the editor is not mounted (another tab is open).
let kept: ImageData | undefined;

export function registerMaskCanvas(c: HTMLCanvasElement | null): void {
  if (!c && maskCanvas && getInvert().masked) kept = maskCanvas.getContext('2d')!.getImageData(0, 0, maskCanvas.width, maskCanvas.height);
  if (c && kept && kept.width === c.width && kept.height === c.height) c.getContext('2d')!.putImageData(kept, 0, 0);
  if (c) kept = undefined;
  maskCanvas = c;
}

/** Replaces the painted layer (ellipse, dropped mask file, automatic mask) with `layer` placed at (x, y). */
export function paintLayer(layer: Rgba, x = 0, y = 0): void {
  const ctx = maskCanvas?.getContext('2d');
  if (!ctx) {
    // The editor is not mounted yet (a layer for the whole view): it takes the layer when it is.
    if (x === 0 && y === 0) kept = new ImageData(new Uint8ClampedArray(layer.data), layer.width, layer.height);
    setInvert({ masked: !!kept });
    return;
  }
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.putImageData(new ImageData(new Uint8ClampedArray(layer.data), layer.width, layer.height), x, y);
  setInvert({ masked: true });
}

export function clearMask(): void {
  const c = maskCanvas;
  c?.getContext('2d')?.clearRect(0, 0, c.width, c.height);
  setInvert({ masked: false });
}

/** A new photo: no layer, nothing kept. */
export function resetMaskLayer(): void {
  kept = undefined;
  clearMask();
}

/** The layer's pixels at the view's size, if the editor is mounted. */
export function maskPixels(): ImageData | null {
  return maskCanvas ? maskCanvas.getContext('2d')!.getImageData(0, 0, maskCanvas.width, maskCanvas.height) : null;
}
