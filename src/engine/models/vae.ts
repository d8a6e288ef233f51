// diffusers 0.21 AutoencoderKL as two graphs: the encoder (image → posterior mean/logvar) and the decoder
// (unscaled latent → image). Float32 at the boundary, params.precision.compute inside.
import type { Graph, Value } from '../graph/ir';
import { add, cast, clamp, reshape, slice, transpose, upsampleNearest } from '../graph/ops/index';
import type { VaeConfig } from '../io/config';
import { attention, conv2d, groupNorm, linear, resnet, silu } from './layers';
import type { Params } from './params';

/** Encoder/Decoder build every GroupNorm (resnets, mid attention, conv_norm_out) with eps 1e-6. */
const EPS = 1e-6;
/** DiagonalGaussianDistribution's clamp on the log-variance. */
const LOGVAR_MIN = -30;
const LOGVAR_MAX = 20;

export interface VaeShape {
  batch: number;
  /** Image size in pixels (encoder input, decoder output). */
  height: number;
  width: number;
}

/** Pixels per latent cell: one ×2 resampler between consecutive blocks. */
export const vaeScaleFactor = (cfg: VaeConfig): number => 2 ** (cfg.blockOutChannels.length - 1);

function checkSize(cfg: VaeConfig, shape: VaeShape): void {
  const f = vaeScaleFactor(cfg);
  if (shape.height % f || shape.width % f)
    throw new Error(`vae: image size ${shape.height}×${shape.width} is not a multiple of ${f}`);
}

/**
 * The mid block's single-head self-attention over the H·W positions, with the residual. Checkpoints saved
 * before diffusers 0.14 name the projections query/key/value/proj_attn; diffusers renames them on load.
 */
function midAttention(p: Params, x: Value, c: number, groups: number): Value {
  const [b, , h, w] = x.shape;
  const legacy = !p.has('to_q.weight') && p.has('query.weight');
  const [qn, kn, vn, on] = legacy ? ['query', 'key', 'value', 'proj_attn'] : ['to_q', 'to_k', 'to_v', 'to_out.0'];
  const seq = transpose(reshape(groupNorm(p, 'group_norm', x, groups, EPS), [b, c, h * w]), [0, 2, 1]);
  const o = attention(linear(p, qn, seq, c, c), linear(p, kn, seq, c, c), linear(p, vn, seq, c, c), 1);
  const back = reshape(transpose(linear(p, on, o, c, c), [0, 2, 1]), [b, c, h, w]);
  return add(back, x);
}

/** UNetMidBlock2D without time embedding: resnet, attention (unless the config drops it), resnet. */
function midBlock(cfg: VaeConfig, p: Params, x: Value, c: number): Value {
  const groups = cfg.normNumGroups;
  let h = resnet(p.scoped('resnets.0.'), x, c, c, groups, EPS);
  if (cfg.midBlockAddAttention) h = midAttention(p.scoped('attentions.0.'), h, c, groups);
  return resnet(p.scoped('resnets.1.'), h, c, c, groups, EPS);
}

/** GroupNorm, SiLU, 3×3 conv: the head of both halves. */
function outHead(p: Params, x: Value, inC: number, outC: number, groups: number): Value {
  return conv2d(p, 'conv_out', silu(groupNorm(p, 'conv_norm_out', x, groups, EPS)), inC, outC, 3);
}

/** Inputs `image` [B, in_channels, H, W] in [−1, 1]; outputs `latent_mean`, `latent_logvar` [B, latent, H/f, W/f]. */
export function buildVaeEncoder(cfg: VaeConfig, params: Params, shape: VaeShape): Graph {
  checkSize(cfg, shape);
  const g = params.graph;
  const ch = cfg.blockOutChannels;
  const groups = cfg.normNumGroups;
  const latent = cfg.latentChannels;
  const image = g.input('image', 'float32', [shape.batch, cfg.inChannels, shape.height, shape.width]);

  const p = params.scoped('encoder.');
  let h = conv2d(p, 'conv_in', cast(image, params.precision.compute), cfg.inChannels, ch[0], 3);
  ch.forEach((out, i) => {
    const blk = p.scoped(`down_blocks.${i}.`);
    for (let j = 0; j < cfg.layersPerBlock; j++) {
      const inC = j > 0 ? out : i > 0 ? ch[i - 1] : ch[0];
      h = resnet(blk.scoped(`resnets.${j}.`), h, inC, out, groups, EPS);
    }
    // Downsample2D with padding 0 pads right and bottom by one, then a stride-2 conv.
    if (i < ch.length - 1) h = conv2d(blk.scoped('downsamplers.0.'), 'conv', h, out, out, 3, 2, [0, 0, 1, 1]);
  });
  const top = ch[ch.length - 1];
  h = midBlock(cfg, p.scoped('mid_block.'), h, top);
  h = outHead(p, h, top, 2 * latent, groups);

  const moments = cfg.useQuantConv ? conv2d(params, 'quant_conv', h, 2 * latent, 2 * latent, 1) : h;
  const mean = slice(moments, [0], [latent], [1]);
  const logvar = clamp(slice(moments, [latent], [2 * latent], [1]), LOGVAR_MIN, LOGVAR_MAX);
  g.output(cast(mean, 'float32'), 'latent_mean');
  g.output(cast(logvar, 'float32'), 'latent_logvar');
  return g;
}

/** Input `latent` [B, latent, H/f, W/f], already divided by the scaling factor; output `image` [B, out, H, W]. */
export function buildVaeDecoder(cfg: VaeConfig, params: Params, shape: VaeShape): Graph {
  checkSize(cfg, shape);
  const g = params.graph;
  const f = vaeScaleFactor(cfg);
  const groups = cfg.normNumGroups;
  const lc = cfg.latentChannels;
  const z = g.input('latent', 'float32', [shape.batch, lc, shape.height / f, shape.width / f]);

  let h = cast(z, params.precision.compute);
  if (cfg.usePostQuantConv) h = conv2d(params, 'post_quant_conv', h, lc, lc, 1);
  const p = params.scoped('decoder.');
  const rev = [...cfg.blockOutChannels].reverse();
  h = conv2d(p, 'conv_in', h, lc, rev[0], 3);
  h = midBlock(cfg, p.scoped('mid_block.'), h, rev[0]);
  rev.forEach((out, i) => {
    const blk = p.scoped(`up_blocks.${i}.`);
    for (let j = 0; j <= cfg.layersPerBlock; j++) {
      const inC = j > 0 ? out : i > 0 ? rev[i - 1] : rev[0];
      h = resnet(blk.scoped(`resnets.${j}.`), h, inC, out, groups, EPS);
    }
    if (i < rev.length - 1) h = conv2d(blk.scoped('upsamplers.0.'), 'conv', upsampleNearest(h, 2), out, out, 3);
  });
  h = outHead(p, h, rev[rev.length - 1], cfg.outChannels, groups);
  g.output(cast(h, 'float32'), 'image');
  return g;
}
