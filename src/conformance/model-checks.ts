// Model-level checks: the real engine (StableDiffusion over the hub-layout folder, downloaded with Range
// requests) on the page's provider, against the fixture's reference.safetensors.
import type { HostTensor } from '../engine/runtime/tensor';
import type { SafetensorsFile } from '../engine/io/safetensors';
import { StableDiffusion } from '../engine/sd/stable-diffusion';
import type { Check, CheckContext, Comparison } from './check';

async function read(f: SafetensorsFile, key: string): Promise<HostTensor> {
  const { dtype, shape } = f.info(key);
  return dtype === 'I64'
    ? { dtype: 'int64', shape, data: await f.readInt64(key) }
    : { dtype: 'float32', shape, data: await f.readFloat32(key) };
}

const load = (ctx: CheckContext) => StableDiffusion.load(ctx.folder(), { createSession: (g) => ctx.session(g) });

/** Our output against the reference's key. */
const compare = async (ref: SafetensorsFile, key: string, actual: ArrayLike<number>, tol: number): Promise<Comparison> => ({
  key, actual, expected: await ref.readFloat32(key), tol,
});

/** The UNet inputs, LoRA-gradient inputs, lora.flat and space.theta of the reference. */
async function unetInputs(ref: SafetensorsFile) {
  const [sample, timestep, text, target, mask, flat, theta] = await Promise.all(
    ['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states', 'lora.target', 'lora.mask', 'lora.flat', 'space.theta'].map((k) => read(ref, k)),
  );
  return { sample, timestep, text, target, mask, flat: flat.data as Float32Array, theta: theta.data as Float32Array };
}

export const clipCheck: Check = {
  name: 'clip',
  async run(ctx) {
    const ref = await ctx.safetensors('reference.safetensors');
    const sd = await load(ctx);
    const out = await sd.encodeIds(await read(ref, 'clip.ids'));
    return [{ key: 'clip.last_hidden_state', actual: out.data as Float32Array, expected: await ref.readFloat32('clip.last_hidden_state'), tol: 1e-4 }];
  },
};

export const vaeCheck: Check = {
  name: 'vae',
  async run(ctx) {
    const ref = await ctx.safetensors('reference.safetensors');
    const sd = await load(ctx);
    const decoded = await sd.decode(await read(ref, 'vae.latent_in'));
    const { mean, logvar } = await sd.encodeImage(await read(ref, 'vae.image'));
    return [
      { key: 'vae.decoded', actual: decoded.data as Float32Array, expected: await ref.readFloat32('vae.decoded'), tol: 1e-4 },
      { key: 'vae.latent_mean', actual: mean.data as Float32Array, expected: await ref.readFloat32('vae.latent_mean'), tol: 1e-4 },
      { key: 'vae.latent_logvar', actual: logvar.data as Float32Array, expected: await ref.readFloat32('vae.latent_logvar'), tol: 1e-4 },
    ];
  },
};

export const unetCheck: Check = {
  name: 'unet',
  async run(ctx) {
    const ref = await ctx.safetensors('reference.safetensors');
    const sd = await load(ctx);
    const i = await unetInputs(ref);
    const eps = await sd.unet(i.sample, i.timestep, i.text, new Float32Array(sd.loraSize));
    const epsLora = await sd.unet(i.sample, i.timestep, i.text, i.flat);
    return [
      await compare(ref, 'unet.eps', eps.data as Float32Array, 1e-4),
      await compare(ref, 'unet.eps_lora', epsLora.data as Float32Array, 1e-4),
    ];
  },
};

export const unetGradCheck: Check = {
  name: 'unet-grad',
  async run(ctx) {
    const ref = await ctx.safetensors('reference.safetensors');
    const sd = await load(ctx);
    const i = await unetInputs(ref);
    const atFlat = await sd.unetLossGrad(i.sample, i.timestep, i.text, i.target, i.mask, i.flat);
    const atTheta = await sd.unetLossGrad(i.sample, i.timestep, i.text, i.target, i.mask, i.theta);
    return [
      await compare(ref, 'lora.loss', [atFlat.loss], 1e-4),
      await compare(ref, 'lora.grad_flat', atFlat.grad, 1e-3),
      await compare(ref, 'space.coef_loss', [atTheta.loss], 1e-4),
    ];
  },
};
