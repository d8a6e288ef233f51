// Inversion's step on the page's provider: θ and ∂L/∂c inside the gradient graph (V_k in the check's GPU weight
// store, only c in and the loss and ∂L/∂c out) against the separate products (θ session, UNet ∂L/∂θ, ∂L/∂c
// session) on the same runtime: a few Adam steps on the reference's VAE image must give the same coefficients.
import { invert, resolveSettings, separateProducts } from '../engine/invert/index';
import { StableDiffusion } from '../engine/sd/stable-diffusion';
import { spaceFolderFromUrl } from '../engine/space/files';
import { loadSpace } from '../engine/space/load';
import type { Check } from './check';

const STEPS = 3;

/** [1, C, S, S] → [1, C, n·S, n·S] by repeating pixels, n·S ≥ side. */
function upsample(shape: readonly number[], data: Float32Array, side: number) {
  const [, c, s] = shape;
  const n = Math.ceil(side / s);
  const out = new Float32Array(c * s * s * n * n);
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < s * n; y++)
      for (let x = 0; x < s * n; x++) out[(ch * s * n + y) * s * n + x] = data[(ch * s + Math.floor(y / n)) * s + Math.floor(x / n)];
  return { dtype: 'float32' as const, shape: [1, c, s * n, s * n], data: out };
}

export const invertCheck: Check = {
  name: 'invert',
  async run(ctx) {
    const ref = await ctx.safetensors('reference.safetensors');
    const sd = await StableDiffusion.load(ctx.folder(), { createSession: (g) => ctx.session(g) });
    const space = await loadSpace(spaceFolderFromUrl(`${ctx.url()}/w2w-space`), { layout: sd.lora });
    await space.useRuntime(sd.runtime);
    // The reference's VAE image, repeated up to the smallest side inversion takes.
    const image = upsample(ref.info('vae.image').shape, await ref.readFloat32('vae.image'), sd.sizeMultiple);
    const [h, w] = [image.shape[2] / sd.vaeScaleFactor, image.shape[3] / sd.vaeScaleFactor];
    const inputs = { image, mask: { data: new Float32Array(h * w).fill(1), width: w, height: h, notes: [] } };
    const { settings } = resolveSettings('photo', { steps: STEPS, components: space.k, lr: 0.02, seed: 1 }, space.k);
    // The space's products without its graph basis: today's three-session step.
    const separate = separateProducts(space);
    const a = await invert(sd, separate, inputs, settings);
    const b = await invert(sd, space, inputs, settings);
    if (!sd.sessionKeys.some((k) => k.includes('_space'))) throw new Error('invert check: the in-graph step did not run');
    return [
      { key: `invert.coef after ${STEPS} steps (in-graph vs separate)`, actual: b.coef, expected: a.coef, tol: 1e-5 },
      { key: `invert.losses (in-graph vs separate)`, actual: b.losses, expected: a.losses, tol: 1e-5 },
    ];
  },
};
