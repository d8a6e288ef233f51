// Where a diffusers folder keeps each component's weights: what StableDiffusion reads and what a download
// fetches. Its own module so the workers can list the files without loading the pipeline.

export const WEIGHT_FILES = {
  unet: 'unet/diffusion_pytorch_model',
  vae: 'vae/diffusion_pytorch_model',
  text: 'text_encoder/model',
} as const;

/** The model's weight-bearing components. */
export type Component = keyof typeof WEIGHT_FILES;

/** A component's weight file in a diffusers folder; `variant` picks e.g. *.fp16.safetensors. */
export const weightPath = (which: Component, variant?: string): string => `${WEIGHT_FILES[which]}${variant ? '.' + variant : ''}.safetensors`;
