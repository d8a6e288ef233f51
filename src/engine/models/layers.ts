// Layers shared by the UNet, the VAE and CLIP, written as diffusers/transformers define them.
import type { Value } from '../graph/ir';
import {
  add, cast, conv, div, erf, gemmTransB, instanceNorm, layerNorm, matmul, mul, reshape, sdpa, sigmoid, softmax, tensorConst, transpose,
} from '../graph/ops/index';
import type { Params } from './params';

/** torch.nn.Linear over the last axis: x @ Wᵀ + b, W stored (out, in) as on the hub (a Gemm: no Wᵀ copy). */
export function linear(p: Params, name: string, x: Value, inF: number, outF: number, bias = true): Value {
  const rows = reshape(x, [-1, inF]);
  const y = gemmTransB(rows, p.get(`${name}.weight`, [outF, inF]), bias ? p.get(`${name}.bias`, [outF]) : undefined);
  return reshape(y, [...x.shape.slice(0, -1), outF]);
}

export function conv2d(
  p: Params, name: string, x: Value, inC: number, outC: number, k: number, stride = 1, pads?: number[],
): Value {
  const w = p.get(`${name}.weight`, [outC, inC, k, k]);
  const b = p.get(`${name}.bias`, [outC]);
  const pd = Math.floor(k / 2);
  return conv(x, w, b, { strides: [stride, stride], pads: pads ?? [pd, pd, pd, pd] });
}

/** torch.nn.GroupNorm on NCHW via InstanceNormalization over (N, G, C/G·H·W), then the per-channel affine. */
export function groupNorm(p: Params, name: string, x: Value, groups: number, eps: number): Value {
  const [n, c, ...spatial] = x.shape;
  const g = x.graph;
  const dt = p.precision.compute;
  const ones = tensorConst(g, dt, [groups], Array(groups).fill(1));
  const zeros = tensorConst(g, dt, [groups], Array(groups).fill(0));
  const normed = reshape(instanceNorm(reshape(x, [n, groups, -1]), ones, zeros, eps), x.shape);
  const bshape = [c, ...spatial.map(() => 1)];
  return add(mul(normed, reshape(p.get(`${name}.weight`, [c]), bshape)), reshape(p.get(`${name}.bias`, [c]), bshape));
}

export function layerNormP(p: Params, name: string, x: Value, eps: number): Value {
  const c = x.shape[x.shape.length - 1];
  return layerNorm(x, p.get(`${name}.weight`, [c]), p.get(`${name}.bias`, [c]), eps);
}

export const silu = (x: Value): Value => mul(x, sigmoid(x));
export const quickGelu = (x: Value): Value => mul(x, sigmoid(mul(x, 1.702)));
/** Exact (erf) GELU, as torch's F.gelu default. */
export const gelu = (x: Value): Value => mul(mul(x, 0.5), add(erf(div(x, Math.SQRT2)), 1));

/**
 * Multi-head scaled dot-product attention on (B, N, H·d) projections; `bias` is added to the scores
 * (CLIP's causal mask). `upcast` computes it in float32 (diffusers' upcast_attention). Unmasked calls are
 * one composite op (graph/ops/attention.ts: chunked, its VJP recomputes the probabilities); masked ones
 * (CLIP, never differentiated, 77 tokens) are plain MatMul/Softmax.
 */
export function attention(q: Value, k: Value, v: Value, heads: number, bias?: Value, upcast = false): Value {
  const sdt = upcast ? 'float32' : q.dtype;
  if (!bias) return cast(sdpa(cast(q, sdt), cast(k, sdt), cast(v, sdt), heads), v.dtype);
  const [b, n, inner] = q.shape;
  const m = k.shape[1];
  const d = inner / heads;
  const split = (x: Value, len: number) => transpose(reshape(x, [b, len, heads, d]), [0, 2, 1, 3]);
  const qh = mul(split(cast(q, sdt), n), 1 / Math.sqrt(d));
  const kt = transpose(reshape(cast(k, sdt), [b, m, heads, d]), [0, 2, 3, 1]);
  const scores = add(matmul(qh, kt), bias);
  return reshape(transpose(matmul(cast(softmax(scores, -1), v.dtype), split(v, m)), [0, 2, 1, 3]), [b, n, inner]);
}

/**
 * diffusers ResnetBlock2D ("default" time-embedding shift, output_scale_factor 1): two GroupNorm-SiLU-Conv
 * stages, the time embedding added between them, a 1×1 conv shortcut when channels change.
 */
export function resnet(
  p: Params, x: Value, inC: number, outC: number, groups: number, eps: number, temb?: { value: Value; dim: number },
): Value {
  let h = conv2d(p, 'conv1', silu(groupNorm(p, 'norm1', x, groups, eps)), inC, outC, 3);
  if (temb) {
    const t = linear(p, 'time_emb_proj', silu(temb.value), temb.dim, outC);
    h = add(h, reshape(t, [t.shape[0], outC, 1, 1]));
  }
  h = conv2d(p, 'conv2', silu(groupNorm(p, 'norm2', h, groups, eps)), outC, outC, 3);
  const skip = inC === outC ? x : conv2d(p, 'conv_shortcut', x, inC, outC, 1);
  return add(skip, h);
}
