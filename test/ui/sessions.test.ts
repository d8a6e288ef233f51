// The header's words for the sessions the engine builds, for every key StableDiffusion makes.
import { describe, expect, it } from 'vitest';
import { describeSession } from '../../src/ui/session-names';

describe('describeSession', () => {
  it.each([
    ['unet_loss_b1_64x64', 'the UNet gradient graph (64×64 latents)'],
    ['unet_loss_b1_64x64_space2_k10000_float16', 'the UNet gradient graph (64×64 latents)'],
    ['unet_b2_8x8', 'the UNet (8×8 latents)'],
    ['pullback_lora_jtj_b2_8x8', 'the pullback graph (8×8 latents)'],
    ['vae_enc_b1_512x512', 'the VAE encoder (512×512 pixels)'],
    ['vae_dec_b1_64x64', 'the VAE decoder (64×64 latents)'],
    ['clip_b2', 'the text encoder'],
    ['something_else', 'something_else'],
  ])('%s → %s', (key, text) => expect(describeSession(key)).toBe(text));
});
