// `eval`: runs every component whose inputs are present in a safetensors file and writes the outputs
// under the fixture key names, so any model folder can be checked against a reference.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openSafetensors, writeSafetensors, type SafetensorsFile, type TensorToWrite } from '../engine/io/safetensors';
import { openPath } from '../engine/io/source-node';
import type { HostTensor } from '../engine/runtime/tensor';
import { generate } from '../engine/sd/pipeline';
import type { StableDiffusion } from '../engine/sd/stable-diffusion';
import { list, num, parseFlags, str } from './args';
import { readInput } from './inputs';
import { MODEL_FLAGS, openModelFromFlags } from './node-model';
import { evalSpace } from './space-eval';

export const EVAL_FLAGS = [...MODEL_FLAGS, 'inputs', 'out', 'prompt', 'steps', 'guidance', 'space', 'debias'];

type Out = Record<string, TensorToWrite>;

const put = (out: Out, key: string, t: HostTensor) => {
  out[key] = { dtype: t.dtype === 'int64' ? 'I64' : 'F32', shape: [...t.shape], data: t.data as Float32Array };
};

const read = readInput;

/** Pipeline settings: flags first, then a reference.json beside the inputs (as the fixtures ship), then defaults. */
async function settings(inputsPath: string, flags: ReturnType<typeof parseFlags>) {
  let ref: { prompts?: string[]; pipeline?: { steps?: number; guidance_scale?: number; prompt_index?: number; negative_prompt?: string } } = {};
  try {
    ref = JSON.parse(await readFile(join(dirname(inputsPath), 'reference.json'), 'utf8'));
  } catch {
    // No reference.json: flags and defaults only.
  }
  const prompts = list(flags, 'prompt').length ? list(flags, 'prompt') : (ref.prompts ?? []);
  return {
    prompts,
    pipePrompt: list(flags, 'prompt').length ? prompts[0] : prompts[ref.pipeline?.prompt_index ?? 0],
    negative: ref.pipeline?.negative_prompt ?? '',
    steps: num(flags, 'steps', ref.pipeline?.steps ?? 50),
    guidance: num(flags, 'guidance', ref.pipeline?.guidance_scale ?? 7.5),
  };
}

export async function evalComponents(sd: StableDiffusion, inputs: SafetensorsFile, s: Awaited<ReturnType<typeof settings>>): Promise<Out> {
  const has = (...keys: string[]) => keys.every((k) => inputs.has(k));
  const out: Out = {};
  const lora = has('lora.flat') ? ((await read(inputs, 'lora.flat')).data as Float32Array) : null;

  if (has('unet.sample', 'unet.timestep', 'unet.encoder_hidden_states')) {
    const [x, t, text] = await Promise.all(['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states'].map((k) => read(inputs, k)));
    put(out, 'unet.eps', await sd.unet(x, t, text, new Float32Array(sd.loraSize)));
    if (lora) put(out, 'unet.eps_lora', await sd.unet(x, t, text, lora));
    if (lora && has('lora.target', 'lora.mask')) {
      const [target, mask] = await Promise.all([read(inputs, 'lora.target'), read(inputs, 'lora.mask')]);
      const { loss, grad } = await sd.unetLossGrad(x, t, text, target, mask, lora);
      put(out, 'lora.loss', { dtype: 'float32', shape: [1], data: Float32Array.of(loss) });
      put(out, 'lora.grad_flat', { dtype: 'float32', shape: [grad.length], data: grad });
    }
  }
  if (has('vae.image')) {
    const { mean, logvar } = await sd.encodeImage(await read(inputs, 'vae.image'));
    put(out, 'vae.latent_mean', mean);
    put(out, 'vae.latent_logvar', logvar);
  }
  if (has('vae.latent_in')) put(out, 'vae.decoded', await sd.decode(await read(inputs, 'vae.latent_in')));

  if (s.prompts.length) put(out, 'clip.prompt_ids', sd.tokenize(s.prompts));
  const ids = has('clip.ids') ? await read(inputs, 'clip.ids') : s.prompts.length ? sd.tokenize(s.prompts) : null;
  if (ids) put(out, 'clip.last_hidden_state', await sd.encodeIds(ids));
  const uncond = has('clip.uncond_ids') ? await read(inputs, 'clip.uncond_ids') : ids ? sd.tokenize(['']) : null;
  if (uncond) put(out, 'clip.uncond_last_hidden_state', await sd.encodeIds(uncond));

  if (has('pipe.noise')) {
    if (s.pipePrompt === undefined) throw new Error('pipe.noise is present: pass --prompt (or put reference.json beside the inputs)');
    const noise = await read(inputs, 'pipe.noise');
    const [, , h, w] = noise.shape;
    for (const scheduler of ['pndm', 'ddim'] as const) {
      const r = await generate(sd, {
        prompt: s.pipePrompt, negative: s.negative, steps: s.steps, guidance: s.guidance, scheduler,
        lora, noise: noise.data as Float32Array, height: h * sd.vaeScaleFactor, width: w * sd.vaeScaleFactor,
      });
      put(out, `pipe.${scheduler}.timesteps`, { dtype: 'int64', shape: [r.timesteps.length], data: BigInt64Array.from(r.timesteps, BigInt) });
      put(out, `pipe.${scheduler}.latents`, r.latents);
      put(out, `pipe.${scheduler}.image`, r.image);
    }
  }
  return out;
}

export async function evalCommand(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, { known: EVAL_FLAGS, repeat: ['prompt', 'debias'] });
  if (list(flags, 'debias').length && !flags.space) throw new Error('--debias needs --space DIR');
  const inputsPath = str(flags, 'inputs');
  const sd = await openModelFromFlags(flags);
  try {
    const inputs = await openSafetensors(await openPath(inputsPath));
    const out = await evalComponents(sd, inputs, await settings(inputsPath, flags));
    if (flags.space) Object.assign(out, await evalSpace(sd, inputs, str(flags, 'space'), list(flags, 'debias')));
    await writeFile(str(flags, 'out'), writeSafetensors(out));
    console.log(`wrote ${Object.keys(out).length} tensors to ${str(flags, 'out')}: ${Object.keys(out).sort().join(' ')}`);
  } finally {
    await sd.release();
  }
}
