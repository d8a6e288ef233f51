// The gradient graph inversion runs every step: the UNet with the LoRA vector θ, the masked denoising loss,
// and reverse-mode d loss / d θ appended to the same graph — or, given the space's basis, θ computed in the
// graph from the coefficients c and d loss / d c (θ and d loss / d θ then stay on the device).
import { grad } from '../graph/autodiff';
import type { Graph, Value } from '../graph/ir';
import { mul, reduceMean, sub } from '../graph/ops/index';
import type { UNetConfig } from '../io/config';
import type { Params } from '../models/params';
import { buildUNet } from '../models/unet';
import { basisTheta, type GraphBasis } from '../space/basis-graph';

export interface LossShape {
  batch: number;
  height: number;
  width: number;
}

/**
 * Inputs as the UNet (+ `lora` [D], or `coef` [k] with a basis), `target` [B, C, h, w], `mask` [1, 1, h, w];
 * outputs `loss` [1] and `grad_lora` [D] (or `grad_coef` [k] with a basis).
 */
export function buildUNetLoss(cfg: UNetConfig, params: Params, shape: LossShape, basis?: GraphBasis): Graph {
  let wrt: Value | undefined;
  const lora = basis
    ? (g: Graph) => {
        const { coef, theta } = basisTheta(g, basis);
        wrt = coef;
        return theta;
      }
    : true;
  const g = buildUNet(cfg, params, { ...shape, lora });
  wrt ??= g.inputs.find((v) => v.name === 'lora')!;
  const eps = g.outputs.find((o) => o.name === 'eps')!.value;
  const target = g.input('target', 'float32', eps.shape);
  const mask = g.input('mask', 'float32', [1, 1, shape.height, shape.width]);
  const diff = sub(mul(eps, mask), mul(target, mask));
  const loss = reduceMean(mul(diff, diff), eps.shape.map((_, i) => i), true);
  const [d] = grad(loss, [wrt]);
  g.output(loss, 'loss');
  g.output(d, basis ? 'grad_coef' : 'grad_lora');
  return g;
}
