// Opening a model folder on disk with onnxruntime-node: what every CLI command starts from.
import { folderFromPath } from '../engine/io/model-folder-node';
import type { Precision } from '../engine/models/params';
import { HostWeights } from '../engine/runtime/host-weights';
import { NodeGpuWeights } from '../engine/runtime/node-gpu-weights';
import { isBasisSource } from '../engine/space/basis-graph';
import { createNodeSession, NODE_PROVIDERS, nodeOrt, type NodeProvider } from '../engine/runtime/node';
import { StableDiffusion } from '../engine/sd/stable-diffusion';
import { str, type Flags } from './args';

export const PRECISIONS: Record<string, Precision> = {
  fp32: { compute: 'float32', storage: 'float32' },
  fp16: { compute: 'float16', storage: 'float16' },
};

export function precisionOf(name: string): Precision {
  const p = PRECISIONS[name];
  if (!p) throw new Error(`--precision must be one of ${Object.keys(PRECISIONS).join(', ')}, got ${name}`);
  return p;
}

const MEMORY_MODES = ['fast', 'low'] as const;

/**
 * A model folder on onnxruntime-node. On 'webgpu' every weight is uploaded once (runtime/node-gpu-weights.ts)
 * and feeds all sessions; on 'cpu' sessions keep the model's weights as initializers, which onnxruntime folds
 * and re-lays out per kernel (the 'memory' mode says how far), and take a space's V_k as inputs.
 */
export function openModel(
  dir: string, precision = 'fp32', variant?: string, memory: 'fast' | 'low' = 'fast', provider: NodeProvider = 'cpu',
): Promise<StableDiffusion> {
  // On the CPU only a space's V_k is held outside the sessions (one copy for its products and inversion's graph).
  const weights = provider === 'webgpu' ? new NodeGpuWeights(nodeOrt) : new HostWeights(nodeOrt, isBasisSource);
  return StableDiffusion.load(
    folderFromPath(dir),
    {
      createSession: (g) => createNodeSession(g, { memory, provider, weights }),
      release: () => weights.release(),
      forget: (source) => weights.forget(source),
    },
    { precision: precisionOf(precision), variant },
  );
}

/** The flags every model-running command takes. */
export const MODEL_FLAGS = ['model', 'precision', 'memory', 'provider'];

const oneOf = <T extends string>(f: Flags, flag: string, allowed: readonly T[], dflt: T): T => {
  const v = str(f, flag, dflt);
  if (!(allowed as readonly string[]).includes(v)) throw new Error(`--${flag} must be one of ${allowed.join(', ')}, got ${v}`);
  return v as T;
};

/** --model DIR [--precision fp32|fp16] [--memory fast|low] [--provider cpu|webgpu]. */
export function openModelFromFlags(f: Flags): Promise<StableDiffusion> {
  return openModel(
    str(f, 'model'), str(f, 'precision', 'fp32'), undefined, oneOf(f, 'memory', MEMORY_MODES, 'fast'), oneOf(f, 'provider', NODE_PROVIDERS, 'cpu'),
  );
}
