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

/** A check that runs the engine (over the page's hub folder, on its provider) and compares with reference keys. */
const modelCheck = (name: string, run: (ref: SafetensorsFile, sd: StableDiffusion) => Promise<Comparison[]>): Check => ({
  name,
  async run(ctx: CheckContext) {
    const ref = await ctx.safetensors('reference.safetensors');
    return run(ref, await StableDiffusion.load(ctx.folder(), { createSession: (g) => ctx.session(g) }));
  },
});

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

const f32 = (t: HostTensor) => t.data as Float32Array;

export const clipCheck = modelCheck('clip', async (ref, sd) => [
  await compare(ref, 'clip.last_hidden_state', f32(await sd.encodeIds(await read(ref, 'clip.ids'))), 1e-4),
]);

export const vaeCheck = modelCheck('vae', async (ref, sd) => {
  const decoded = await sd.decode(await read(ref, 'vae.latent_in'));
  const { mean, logvar } = await sd.encodeImage(await read(ref, 'vae.image'));
  return [
    await compare(ref, 'vae.decoded', f32(decoded), 1e-4),
    await compare(ref, 'vae.latent_mean', f32(mean), 1e-4),
    await compare(ref, 'vae.latent_logvar', f32(logvar), 1e-4),
  ];
});

export const unetCheck = modelCheck('unet', async (ref, sd) => {
  const i = await unetInputs(ref);
  return [
    await compare(ref, 'unet.eps', f32(await sd.unet(i.sample, i.timestep, i.text, new Float32Array(sd.loraSize))), 1e-4),
    await compare(ref, 'unet.eps_lora', f32(await sd.unet(i.sample, i.timestep, i.text, i.flat)), 1e-4),
  ];
});

export const unetGradCheck = modelCheck('unet-grad', async (ref, sd) => {
  const i = await unetInputs(ref);
  const atFlat = await sd.unetLossGrad(i.sample, i.timestep, i.text, i.target, i.mask, i.flat);
  const atTheta = await sd.unetLossGrad(i.sample, i.timestep, i.text, i.target, i.mask, i.theta);
  return [
    await compare(ref, 'lora.loss', [atFlat.loss], 1e-4),
    await compare(ref, 'lora.grad_flat', atFlat.grad, 1e-3),
    await compare(ref, 'space.coef_loss', [atTheta.loss], 1e-4),
  ];
});
