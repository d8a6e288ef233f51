// Opening a model folder on disk with onnxruntime-node: what every CLI command starts from.
import { folderFromPath } from '../engine/io/model-folder-node';
import type { Precision } from '../engine/models/params';
import { createNodeSession } from '../engine/runtime/node';
import { StableDiffusion } from '../engine/sd/stable-diffusion';

export const PRECISIONS: Record<string, Precision> = {
  fp32: { compute: 'float32', storage: 'float32' },
  fp16: { compute: 'float16', storage: 'float16' },
};

export function precisionOf(name: string): Precision {
  const p = PRECISIONS[name];
  if (!p) throw new Error(`--precision must be one of ${Object.keys(PRECISIONS).join(', ')}, got ${name}`);
  return p;
}

export const openModel = (dir: string, precision = 'fp32', variant?: string): Promise<StableDiffusion> =>
  StableDiffusion.load(folderFromPath(dir), { createSession: (g) => createNodeSession(g) }, {
    precision: precisionOf(precision),
    variant,
  });
