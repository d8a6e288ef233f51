// What a model and its tasks need in memory, from its configs and its weight files' headers alone (nothing
// is downloaded but those): the weights as the engine holds them, and the live-set peak (graph/liveness.ts,
// a lower bound) of each task's largest graph at an image size. The page shows it before a download and
// refuses what cannot fit (`verdict`).
import { lowerComposites } from '../graph/lower';
import { peakLiveBytes } from '../graph/liveness';
import { createGraph } from '../graph/ops/index';
import { DTYPE_BYTES, numel } from '../graph/dtype';
import type { Graph } from '../graph/ir';
import { Params } from '../models/params';
import { buildClipText } from '../models/clip';
import { buildUNet } from '../models/unet';
import { buildVaeDecoder, buildVaeEncoder } from '../models/vae';
import { formatBytes } from '../io/format-bytes';
import type { StableDiffusion } from './stable-diffusion';
import type { Component } from './weight-files';
import { buildUNetLoss } from './unet-loss';
import { basisBytes } from '../space/basis-graph';

export interface MemoryNeeds {
  /** Image side in pixels the activations are for. */
  size: number;
  /** Bytes of each component's weights the graphs use, in the dtype the engine stores them. */
  weights: Record<Component, number>;
  /** Bytes per stored weight value (2: fp16, 4: fp32). */
  weightItemBytes: number;
  /** The largest weight tensor (each is one GPU buffer). */
  largestWeight: number;
  /** Activation lower bounds: one CFG step (UNet, batch 2), the VAE decoder, the inversion gradient step, the VAE encoder. */
  cfgStep: number;
  decode: number;
  gradStep: number;
  encode: number;
  /** Components of the space the basis is for, and V_k's bytes with std and mean (stored as the weights are), for inversion. */
  k: number;
  basis: number;
}

export async function memoryNeeds(sd: StableDiffusion, { size, k }: { size: number; k: number }): Promise<MemoryNeeds> {
  const weights = { unet: 0, vae: 0, text: 0 };
  const counted = new Set<string>();
  let largestWeight = 0;
  // Each graph's activation peak; its weights (initializers) counted once per component, as the GPU holds them.
  const peak = async (which: Component, build: (p: Params) => Graph) => {
    const g = build(new Params(createGraph('estimate'), await sd.weightFile(which), sd.precision));
    for (const init of g.initializers.values()) {
      if (init.kind !== 'external' || counted.has(`${which}/${init.value.name}`)) continue;
      counted.add(`${which}/${init.value.name}`);
      const bytes = numel(init.value.shape) * DTYPE_BYTES[init.value.dtype];
      weights[which] += bytes;
      largestWeight = Math.max(largestWeight, bytes);
    }
    lowerComposites(g);
    return peakLiveBytes(g);
  };
  const f = sd.vaeScaleFactor;
  const latent = { height: size / f, width: size / f };
  const image = { batch: 1, height: size, width: size };
  await peak('text', (p) => buildClipText(sd.clipConfig, p, { batch: 2 }));
  return {
    size,
    cfgStep: await peak('unet', (p) => buildUNet(sd.unetConfig, p, { batch: 2, ...latent, lora: true })),
    decode: await peak('vae', (p) => buildVaeDecoder(sd.vaeConfig, p, image)),
    gradStep: await peak('unet', (p) => buildUNetLoss(sd.unetConfig, p, { batch: 1, ...latent })),
    encode: await peak('vae', (p) => buildVaeEncoder(sd.vaeConfig, p, image)),
    weights, weightItemBytes: DTYPE_BYTES[sd.precision.storage], largestWeight, k,
    basis: basisBytes(sd.loraSize, k, sd.precision.storage === 'float16' ? 'float16' : 'float32'),
  };
}

const scaled = (w: Record<Component, number>, f: number): Record<Component, number> => ({ unet: w.unet * f, vae: w.vae * f, text: w.text * f });
const weightTotal = (n: MemoryNeeds) => n.weights.unet + n.weights.vae + n.weights.text;
/** Generation: every weight plus the larger of a CFG step and the decoder. */
export const generationBytes = (n: MemoryNeeds): number => weightTotal(n) + Math.max(n.cfgStep, n.decode);
/** Inversion: every weight, the larger of a gradient step and the encoder, and the basis. */
export const inversionBytes = (n: MemoryNeeds): number => weightTotal(n) + Math.max(n.gradStep, n.encode, n.cfgStep) + n.basis;

/** onnxruntime-web's wasm heap is 32-bit: 4 GiB for weights, activations and its own arena together. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

export interface Verdict {
  /** False: the model cannot run here at all; the download is refused. */
  ok: boolean;
  /** What fits and what does not, each with what would. */
  notes: string[];
}

/** Whether `n` fits the backend: hard limits refuse; what WebGPU cannot tell (GPU memory) is said plainly. */
export function verdict(
  n: MemoryNeeds, backend: { provider: 'webgpu' | 'wasm'; shaderF16: boolean; maxStorageBufferBindingSize?: number },
): Verdict {
  const notes: string[] = [];
  if (backend.provider === 'wasm') {
    // onnxruntime's CPU kernels cast fp16 back to fp32, and the casts of constant weights are folded: count fp32.
    const fp32 = { ...n, weights: scaled(n.weights, 4 / n.weightItemBytes) };
    const [gen, inv] = [generationBytes(fp32), inversionBytes(fp32)];
    if (gen > WASM_HEAP_BYTES)
      return {
        ok: false,
        notes: [
          `This model needs at least ${formatBytes(gen)} to generate, more than the ${formatBytes(WASM_HEAP_BYTES)} WebAssembly can address: ` +
            'it cannot run without WebGPU. Use a browser with WebGPU (Chrome or Edge on a machine with a GPU); here only small models run.',
        ],
      };
    if (inv > WASM_HEAP_BYTES) notes.push(`Inversion needs at least ${formatBytes(inv)}, more than WebAssembly's ${formatBytes(WASM_HEAP_BYTES)}: generation only, or fewer components.`);
    return { ok: true, notes };
  }
  const [gen, inv] = [generationBytes(n), inversionBytes(n)];
  const limit = backend.maxStorageBufferBindingSize;
  if (limit !== undefined && n.largestWeight > limit)
    return { ok: false, notes: [`A weight tensor of ${formatBytes(n.largestWeight)} is larger than this GPU's largest buffer binding (${formatBytes(limit)}).`] };
  notes.push(
    `On the GPU: at least ${formatBytes(gen)} to generate at ${n.size}×${n.size}, ${formatBytes(inv)} to invert ` +
      `(weights ${formatBytes(weightTotal(n))}). WebGPU does not say how much memory this GPU has: with less, loading or the first step fails.`,
  );
  if (!backend.shaderF16 && inv > 8 * 2 ** 30)
    notes.push('Without shader-f16 the weights are fp32: on an 8 GB GPU, invert at a smaller image size or with fewer components.');
  return { ok: true, notes };
}
