// The gradient graph inversion runs every step: the UNet with the LoRA vector as input, the masked
// denoising loss, and reverse-mode d loss / d lora appended to the same graph.
import { grad } from '../graph/autodiff';
import type { Graph } from '../graph/ir';
import { mul, reduceMean, sub } from '../graph/ops/index';
import type { UNetConfig } from '../io/config';
import type { Params } from '../models/params';
import { buildUNet } from '../models/unet';

export interface LossShape {
  batch: number;
  height: number;
  width: number;
}

/** Inputs as the UNet (+ `lora`), `target` [B, C, h, w], `mask` [1, 1, h, w]; outputs `loss` [1], `grad_lora` [D]. */
export function buildUNetLoss(cfg: UNetConfig, params: Params, shape: LossShape): Graph {
  const g = buildUNet(cfg, params, { ...shape, lora: true });
  const eps = g.outputs.find((o) => o.name === 'eps')!.value;
  const lora = g.inputs.find((v) => v.name === 'lora')!;
  const target = g.input('target', 'float32', eps.shape);
  const mask = g.input('mask', 'float32', [1, 1, shape.height, shape.width]);
  const diff = sub(mul(eps, mask), mul(target, mask));
  const loss = reduceMean(mul(diff, diff), eps.shape.map((_, i) => i), true);
  const [dLora] = grad(loss, [lora]);
  g.output(loss, 'loss');
  g.output(dLora, 'grad_lora');
  return g;
}
