// diffusers 0.21 Transformer2DModel (continuous input) with its BasicTransformerBlocks, as the SD 1.5 UNet
// interleaves them with the resnets: the only place the text conditions the image and the LoRA applies.
import type { Value } from '../graph/ir';
import { add, mul, reshape, slice, transpose } from '../graph/ops/index';
import type { UNetConfig } from '../io/config';
import { attention, conv2d, gelu, groupNorm, layerNormP, linear } from './layers';
import type { LoraInput } from './lora';
import type { Params } from './params';

/** Transformer2DModel builds its GroupNorm with eps 1e-6; BasicTransformerBlock's LayerNorms use 1e-5. */
const GROUP_NORM_EPS = 1e-6;
const LAYER_NORM_EPS = 1e-5;
/** FeedForward's mult: GEGLU projects to 2 · 4 · dim. */
const FF_MULT = 4;

/** What every transformer in one UNet graph shares. */
export interface UNetContext {
  readonly cfg: UNetConfig;
  /** The whole UNet's weights (unscoped), so module paths match LoRA module names. */
  readonly params: Params;
  /** encoder_hidden_states in compute dtype, [B, 77, cross_attention_dim]. */
  readonly text: Value;
  readonly lora: LoraInput | null;
}

/** diffusers Attention: bias-free q/k/v projections, one attention call, to_out.0 with bias. */
function attentionModule(ctx: UNetContext, at: string, x: Value, context: Value | null, heads: number): Value {
  const p = ctx.params.scoped(at);
  const dim = x.shape[2];
  const kv = context ?? x;
  const project = (name: string, input: Value): Value => {
    const y = linear(p, name, input, input.shape[2], dim, false);
    return ctx.lora ? ctx.lora.apply(at + name, input, y) : y;
  };
  const o = attention(project('to_q', x), project('to_k', kv), project('to_v', kv), heads, undefined, ctx.cfg.upcastAttention);
  return linear(p, 'to_out.0', o, dim, dim);
}

/** FeedForward with GEGLU: proj → (hidden, gate) halves → hidden · gelu(gate) → net.2. */
function feedForward(p: Params, x: Value): Value {
  const dim = x.shape[2];
  const inner = FF_MULT * dim;
  const proj = linear(p, 'net.0.proj', x, dim, 2 * inner);
  const gated = mul(slice(proj, [0], [inner], [2]), gelu(slice(proj, [inner], [2 * inner], [2])));
  return linear(p, 'net.2', gated, inner, dim);
}

function basicTransformerBlock(ctx: UNetContext, at: string, x: Value, heads: number): Value {
  const p = ctx.params.scoped(at);
  let h = add(x, attentionModule(ctx, `${at}attn1.`, layerNormP(p, 'norm1', x, LAYER_NORM_EPS), null, heads));
  h = add(h, attentionModule(ctx, `${at}attn2.`, layerNormP(p, 'norm2', h, LAYER_NORM_EPS), ctx.text, heads));
  return add(h, feedForward(p.scoped('ff.'), layerNormP(p, 'norm3', h, LAYER_NORM_EPS)));
}

/** Transformer2DModel at module path `at` on x [B, C, H, W]: norm, proj_in, blocks over H·W tokens, proj_out, residual. */
export function transformer2d(ctx: UNetContext, at: string, x: Value, heads: number): Value {
  const p = ctx.params.scoped(at);
  const [b, c, hh, ww] = x.shape;
  const toTokens = (v: Value) => reshape(transpose(v, [0, 2, 3, 1]), [b, hh * ww, c]);
  const toImage = (v: Value) => transpose(reshape(v, [b, hh, ww, c]), [0, 3, 1, 2]);
  const normed = groupNorm(p, 'norm', x, ctx.cfg.normNumGroups, GROUP_NORM_EPS);
  const linearProj = ctx.cfg.useLinearProjection;
  let h = linearProj ? linear(p, 'proj_in', toTokens(normed), c, c) : toTokens(conv2d(p, 'proj_in', normed, c, c, 1));
  for (let k = 0; k < ctx.cfg.transformerLayersPerBlock; k++)
    h = basicTransformerBlock(ctx, `${at}transformer_blocks.${k}.`, h, heads);
  const out = linearProj ? toImage(linear(p, 'proj_out', h, c, c)) : conv2d(p, 'proj_out', toImage(h), c, c, 1);
  return add(out, x);
}
