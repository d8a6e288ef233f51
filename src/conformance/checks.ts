// The checks the page knows, in run order; model-level checks (UNet, LoRA gradient, VAE, CLIP against
// the repo's reference.safetensors) join this list.
import type { Check } from './check';
import { opsCheck } from './ops-check';

export const CHECKS: Check[] = [opsCheck];
