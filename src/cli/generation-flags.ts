// The txt2img settings flags shared by `generate` and `directions` (which samples trajectories).
import type { GenerateOptions } from '../engine/sd/pipeline';
import { num, str, type Flags } from './args';

export const GENERATION_FLAGS = ['prompt', 'negative', 'seed', 'steps', 'guidance', 'scheduler', 'width', 'height'];

export const DEFAULT_NEGATIVE = 'low quality, blurry, unfinished, cartoon';

/** Everything but the prompt and the LoRA, with the reference's sampling defaults. */
export function generationSettings(f: Flags): Omit<GenerateOptions, 'prompt'> {
  return {
    negative: str(f, 'negative', DEFAULT_NEGATIVE),
    seed: num(f, 'seed', 0),
    steps: num(f, 'steps', 50),
    guidance: num(f, 'guidance', 3.0),
    scheduler: str(f, 'scheduler', 'pndm') as 'pndm' | 'ddim',
    width: f.width ? num(f, 'width') : undefined,
    height: f.height ? num(f, 'height') : undefined,
  };
}
