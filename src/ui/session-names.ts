// The header's words for the sessions the engine builds (keys as StableDiffusion makes them).

/** Session key patterns (stable-diffusion.ts), what they build, and what their sizes count. */
const GRAPHS: [RegExp, string, string][] = [
  [/^unet_loss_b\d+_(\d+)x(\d+)(_space|$)/, 'the UNet gradient graph', 'latents'],
  [/^unet_b\d+_(\d+)x(\d+)$/, 'the UNet', 'latents'],
  [/^pullback_.*_b\d+_(\d+)x(\d+)$/, 'the pullback graph', 'latents'],
  [/^vae_enc_b\d+_(\d+)x(\d+)$/, 'the VAE encoder', 'pixels'],
  [/^vae_dec_b\d+_(\d+)x(\d+)$/, 'the VAE decoder', 'latents'],
  [/^clip_b\d+$/, 'the text encoder', ''],
];

/** "the UNet gradient graph (64×64 latents)" for a session key. */
export function describeSession(key: string): string {
  for (const [re, name, unit] of GRAPHS) {
    const m = re.exec(key);
    if (m) return m[1] ? `${name} (${m[1]}×${m[2]} ${unit})` : name;
  }
  return key;
}
