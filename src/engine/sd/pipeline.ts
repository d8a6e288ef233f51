// txt2img: CLIP once, then the denoising loop with classifier-free guidance (negative prompt = the
// unconditional branch, uncond first), then the VAE decoder. Optional delayed injection: a second LoRA
// vector takes over once t ≤ switchAt.
import type { HostTensor } from '../runtime/tensor';
import { f32, i64 } from '../runtime/tensor';
import { Rng } from './random';
import type { StableDiffusion } from './stable-diffusion';

export interface GenerateOptions {
  prompt: string;
  negative?: string;
  seed?: number;
  steps?: number;
  guidance?: number;
  scheduler?: 'pndm' | 'ddim';
  /** Image size in pixels (multiples of sd.sizeMultiple); defaults to the UNet's sample_size × 8. */
  width?: number;
  height?: number;
  /** Flat w2w LoRA vector; null/undefined = the base model. */
  lora?: Float32Array | null;
  /** Delayed injection: this vector replaces `lora` at timesteps t ≤ switchAt. */
  lora2?: Float32Array | null;
  switchAt?: number;
  /** Moves x_t by `delta` right before the UNet evaluation at 0-based step `step` (pullback edits). */
  latentEdit?: { step: number; delta: Float32Array } | null;
  /** Initial latents instead of seeded noise (conformance checks). */
  noise?: Float32Array;
  /** Called after every UNet evaluation; a preview decode is the caller's choice. */
  onStep?: (s: StepInfo) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface StepInfo {
  step: number;
  total: number;
  timestep: number;
  latents: HostTensor;
}

export interface GenerateResult {
  timesteps: number[];
  latents: HostTensor;
  /** VAE decoder output, (1, 3, H, W), values in about [−1, 1]. */
  image: HostTensor;
}

export async function generate(sd: StableDiffusion, o: GenerateOptions): Promise<GenerateResult> {
  const steps = o.steps ?? 50;
  const guidance = o.guidance ?? 7.5;
  const height = o.height ?? sd.defaultImageSize;
  const width = o.width ?? sd.defaultImageSize;
  const factor = sd.vaeScaleFactor;
  if (height % sd.sizeMultiple || width % sd.sizeMultiple)
    throw new Error(`image size ${width}×${height}: width and height must be multiples of ${sd.sizeMultiple} for this model`);
  const latentShape = [1, sd.latentChannels, height / factor, width / factor];
  const n = latentShape.reduce((a, b) => a * b, 1);

  const text = await sd.encodePrompts([o.negative ?? '', o.prompt]);
  const scheduler = sd.scheduler(steps, o.scheduler);
  let latents = o.noise ? Float32Array.from(o.noise) : new Rng(o.seed ?? 0).normals(n);
  if (latents.length !== n) throw new Error(`noise has ${latents.length} values, expected ${n}`);
  latents = latents.map((v) => v * scheduler.initNoiseSigma);

  const zeros = new Float32Array(sd.loraSize);
  const timesteps = scheduler.timesteps;
  const edit = o.latentEdit;
  if (edit && (edit.delta.length !== n || !Number.isInteger(edit.step) || edit.step < 0 || edit.step >= timesteps.length))
    throw new Error(`latent edit: step ${edit.step} must be in 0..${timesteps.length - 1} and delta must have ${n} values (has ${edit.delta.length})`);
  for (let i = 0; i < timesteps.length; i++) {
    o.signal?.throwIfAborted();
    const t = timesteps[i];
    const lora = (o.lora2 && o.switchAt !== undefined && t <= o.switchAt ? o.lora2 : o.lora) ?? zeros;
    if (edit?.step === i) latents = latents.map((v, j) => v + edit.delta[j]);
    const input = scheduler.scaleModelInput(latents, t);
    const doubled = new Float32Array(2 * n);
    doubled.set(input, 0);
    doubled.set(input, n);
    const eps = await sd.unet(f32([2, ...latentShape.slice(1)], doubled), i64([2], [t, t]), text, lora);
    const e = eps.data as Float32Array;
    const guided = new Float32Array(n);
    for (let j = 0; j < n; j++) guided[j] = e[j] + guidance * (e[n + j] - e[j]);
    latents = scheduler.step(guided, t, latents);
    await o.onStep?.({ step: i + 1, total: timesteps.length, timestep: t, latents: f32(latentShape, latents) });
  }
  const scaled = latents.map((v) => v / sd.scalingFactor);
  const image = await sd.decode(f32(latentShape, scaled));
  return { timesteps: [...timesteps], latents: f32(latentShape, latents), image };
}
