// The pullback-metric graphs (Park et al. 2023): h = the UNet mid-block output and products of its
// Jacobian J = ∂h/∂w, w = the latent `sample` (x_t) or the flat LoRA vector `lora` (θ), in one ONNX graph.
//
// JVPs use the transpose trick rather than forward-mode rules: Jᵀu = vjp(h; u) is linear in u, so
// J·v = ∂⟨v, Jᵀu⟩/∂u = vjp(Jᵀu; v) w.r.t. u, at any u (zeros here). This reuses the one table of VJP
// rules that is already checked against finite differences and made differentiable for double backward;
// a forward-mode table would double the rules (and their checks) for a ~2× saving on a JVP alone.
import { vjp } from '../graph/autodiff';
import type { Graph, Value } from '../graph/ir';
import { zeros } from '../graph/ops/grad-util';
import type { UNetConfig } from '../io/config';
import type { Params } from '../models/params';
import { buildUNet } from '../models/unet';

/** What the Jacobian is taken with respect to: x_t (`sample`) or θ (`lora`). */
export type PullbackWrt = 'sample' | 'lora';
/** `jvp`: J·tangent; `vjp`: Jᵀ·cotangent; `jtj`: Jᵀ(J·tangent), one application of the metric. */
export type PullbackProduct = 'jvp' | 'vjp' | 'jtj';

export interface PullbackOptions {
  batch: number;
  height: number;
  width: number;
  wrt: PullbackWrt;
  products: readonly PullbackProduct[];
}

/**
 * The UNet's inputs (with `lora`), plus `tangent` (shaped like the wrt input) for jvp/jtj and `cotangent`
 * (shaped like h) for vjp; outputs `mid` (h) and one output per product, named after it. With
 * wrt = 'lora' the batch shares θ, so `jtj` sums JᵀJ over the batch elements; with 'sample' each element
 * has its own x_t and the Jacobian is block-diagonal over the batch.
 */
export function buildPullback(cfg: UNetConfig, params: Params, o: PullbackOptions): Graph {
  const g = buildUNet(cfg, params, { batch: o.batch, height: o.height, width: o.width, lora: true, mid: true });
  const h = g.outputs.find((out) => out.name === 'mid')!.value;
  const w = g.inputs.find((v) => v.name === o.wrt)!;
  const needsTangent = o.products.includes('jvp') || o.products.includes('jtj');
  const jv = (): Value => {
    const tangent = g.input('tangent', 'float32', w.shape);
    const u = zeros(g, h.dtype, h.shape);
    const [jtu] = vjp([h], [u], [w]);
    return vjp([jtu], [tangent], [u])[0];
  };
  const jvValue = needsTangent ? jv() : null;
  for (const p of o.products) {
    if (p === 'jvp') g.output(jvValue!, 'jvp');
    else if (p === 'jtj') g.output(vjp([h], [jvValue!], [w])[0], 'jtj');
    else g.output(vjp([h], [g.input('cotangent', 'float32', h.shape)], [w])[0], 'vjp');
  }
  return g;
}
