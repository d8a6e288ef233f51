// Model-level checks: the real engine (StableDiffusion over the hub-layout folder, downloaded with Range
// requests) on the page's provider, against the fixture's reference.safetensors. The loss gradient is
// compared with onnxruntime-node's value for the same inputs (MODEL_REPO's reference, written by the e2e
// test), because the fixture's own lora.grad_flat is ill-conditioned (see test/conformance).
import type { HostTensor } from '../engine/runtime/tensor';
import type { SafetensorsFile } from '../engine/io/safetensors';
import { StableDiffusion } from '../engine/sd/stable-diffusion';
import type { Check, CheckContext, Comparison } from './check';

/** The hub repo holding expected values computed by onnxruntime-node for the gradient check. */
export const MODEL_REPO = 'e2e/model';
export const GRAD_KEYS = { loss: 'loss_at_theta', grad: 'grad_lora_at_theta' } as const;

async function read(f: SafetensorsFile, key: string): Promise<HostTensor> {
  const { dtype, shape } = f.info(key);
  return dtype === 'I64'
    ? { dtype: 'int64', shape, data: await f.readInt64(key) }
    : { dtype: 'float32', shape, data: await f.readFloat32(key) };
}

const load = (ctx: CheckContext) => StableDiffusion.load(ctx.folder(), { createSession: (g) => ctx.session(g) });

/** The reference drops NaN entries (unet.eps has NaNs for batch element 1): compare the finite ones. */
function finiteOnly(key: string, actual: Float32Array, expected: Float32Array, tol: number): Comparison {
  const keep = [...expected.keys()].filter((i) => Number.isFinite(expected[i]));
  return { key, actual: keep.map((i) => actual[i]), expected: keep.map((i) => expected[i]), tol };
}

/** The UNet inputs, LoRA-gradient inputs and space.theta of the reference. */
export async function unetInputs(ref: SafetensorsFile) {
  const [sample, timestep, text, target, mask, theta] = await Promise.all(
    ['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states', 'lora.target', 'lora.mask', 'space.theta'].map((k) => read(ref, k)),
  );
  return { sample, timestep, text, target, mask, theta: theta.data as Float32Array };
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
    return [finiteOnly('unet.eps', eps.data as Float32Array, await ref.readFloat32('unet.eps'), 1e-4)];
  },
};

export const unetGradCheck: Check = {
  name: 'unet-grad',
  async run(ctx) {
    const ref = await ctx.safetensors('reference.safetensors');
    const node = await ctx.safetensors('reference.safetensors', MODEL_REPO);
    const sd = await load(ctx);
    const i = await unetInputs(ref);
    const { loss, grad } = await sd.unetLossGrad(i.sample, i.timestep, i.text, i.target, i.mask, i.theta);
    return [
      { key: 'space.coef_loss', actual: [loss], expected: await ref.readFloat32('space.coef_loss'), tol: 1e-4 },
      { key: `${MODEL_REPO}:${GRAD_KEYS.grad}`, actual: grad, expected: await node.readFloat32(GRAD_KEYS.grad), tol: 1e-3 },
    ];
  },
};
