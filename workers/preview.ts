// A cheap live preview of SD latents: each pixel a fixed linear map of its 4 latent channels, the
// approximation of the VAE decoder commonly used for step previews (no decoder run per step).
import type { HostTensor } from '../src/engine/runtime/tensor';
import type { Rgba } from '../src/engine/sd/image';

// Rows: latent channel → (r, g, b) contribution, fitted for SD 1.x latents (unscaled by 0.18215).
const LATENT_RGB = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];

export function latentPreview(latents: HostTensor): Rgba {
  const [, c, height, width] = latents.shape;
  const x = latents.data as Float32Array;
  const plane = width * height;
  const data = new Uint8ClampedArray(plane * 4);
  const channels = Math.min(c, LATENT_RGB.length);
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < 3; k++) {
      let v = 0;
      for (let ch = 0; ch < channels; ch++) v += LATENT_RGB[ch][k] * x[ch * plane + i];
      data[i * 4 + k] = Math.round(Math.min(Math.max((v + 1) / 2, 0), 1) * 255);
    }
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** PNG bytes of an RGBA image, encoded by the browser off the main thread. */
export async function encodePng(img: Rgba): Promise<Blob> {
  const canvas = new OffscreenCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('OffscreenCanvas 2d context unavailable: cannot encode PNG');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
