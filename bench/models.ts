// The two models the benchmark measures: the full-size SD 1.5 UNet (realistic-vision-v51's config,
// seeded random weights) and the tiny fixture (its real weights, read in place).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The fixture folder: beside the checkout, or W2W_TINY_FIXTURE (the packed bench, which runs elsewhere). */
const TINY = process.env.W2W_TINY_FIXTURE ?? path.resolve(here, '../../shared/fixtures/tiny-sd-a');

export interface BenchModel {
  label: string;
  config: string;
  /** A safetensors file; absent: seeded random weights. */
  weights?: string;
}

export const MODELS: Record<string, BenchModel> = {
  sd15: { label: 'SD 1.5 UNet (random weights)', config: path.join(here, 'sd15-unet-config.json') },
  tiny: {
    label: 'tiny-sd-a fixture',
    config: path.join(TINY, 'unet/config.json'),
    weights: path.join(TINY, 'unet/diffusion_pytorch_model.safetensors'),
  },
};
