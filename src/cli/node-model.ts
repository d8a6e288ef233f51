// Opening a model folder on disk with onnxruntime-node: what every CLI command starts from.
import { folderFromPath } from '../engine/io/model-folder-node';
import type { Precision } from '../engine/models/params';
import { createNodeSession } from '../engine/runtime/node';
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

export const openModel = (dir: string, precision = 'fp32', variant?: string, memory: 'fast' | 'low' = 'fast'): Promise<StableDiffusion> =>
  StableDiffusion.load(folderFromPath(dir), { createSession: (g) => createNodeSession(g, { memory }) }, {
    precision: precisionOf(precision),
    variant,
  });

/** The flags every model-running command takes. */
export const MODEL_FLAGS = ['model', 'precision', 'memory'];

/** --model DIR [--precision fp32|fp16] [--memory fast|low]. */
export function openModelFromFlags(f: Flags): Promise<StableDiffusion> {
  const memory = str(f, 'memory', 'fast');
  if (!(MEMORY_MODES as readonly string[]).includes(memory)) throw new Error(`--memory must be one of ${MEMORY_MODES.join(', ')}, got ${memory}`);
  return openModel(str(f, 'model'), str(f, 'precision', 'fp32'), undefined, memory as 'fast' | 'low');
}
