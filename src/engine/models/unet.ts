// diffusers 0.21 UNet2DConditionModel as SD 1.5 configures it: sinusoidal timestep embedding, conv_in,
// CrossAttnDownBlock2D/DownBlock2D, UNetMidBlock2DCrossAttn, UpBlock2D/CrossAttnUpBlock2D with skip
// concatenation, conv_norm_out/SiLU/conv_out. Float32 at the boundary, params.precision.compute inside.
import type { Graph, Value } from '../graph/ir';
import { cast, concat, cos, div, mul, pad, reshape, sin, tensorConst, upsampleNearest } from '../graph/ops/index';
import type { UNetConfig } from '../io/config';
import { CLIP_MAX_LENGTH } from '../text/tokenizer';
import { conv2d, groupNorm, linear, resnet, silu } from './layers';
import { LoraInput, loraLayout } from './lora';
import type { Params } from './params';
import { transformer2d, type UNetContext } from './unet-transformer';

/** get_timestep_embedding's max_period. */
const MAX_PERIOD = 10000;

export interface UNetOptions {
  batch: number;
  /** Latent size (the image size / 8 for SD 1.5). */
  height: number;
  width: number;
  /** Text tokens per prompt; CLIP's 77 by default. */
  textLength?: number;
  /**
   * The w2w flat vector θ (see lora.ts), applied at scale 27: true adds the input `lora` float32 [D]; a
   * function computes it inside the graph (e.g. from the space's coefficients, space/basis-graph.ts).
   */
  lora?: boolean | ((g: Graph, size: number) => Value);
  /** Adds the output `mid`: the mid block's output h (float32), for the pullback metric. */
  mid?: boolean;
}

/**
 * diffusers get_timestep_embedding for int64 timesteps [B] → float32 [B, dim]. The frequencies are
 * rounded to float32 at each step as torch computes them, so the (large) sin/cos arguments match.
 */
function timestepEmbedding(t: Value, dim: number, flipSinToCos: boolean, freqShift: number): Value {
  const half = Math.floor(dim / 2);
  const f = Math.fround;
  const step = f(-Math.log(MAX_PERIOD));
  const freqs = Array.from({ length: half }, (_, i) => f(Math.exp(f(f(step * i) / f(half - freqShift)))));
  const args = mul(reshape(cast(t, 'float32'), [t.shape[0], 1]), tensorConst(t.graph, 'float32', [1, half], freqs));
  const emb = concat(flipSinToCos ? [cos(args), sin(args)] : [sin(args), cos(args)], 1);
  return dim % 2 ? pad(emb, [0, 0, 0, 1]) : emb;
}

/**
 * Inputs `sample` [B, in_channels, H, W], `timestep` int64 [B], `encoder_hidden_states` [B, 77,
 * cross_attention_dim], and with opts.lora `lora` [D]; outputs `eps` [B, out_channels, H, W] and with
 * opts.mid `mid`. All float32.
 */
export function buildUNet(cfg: UNetConfig, params: Params, opts: UNetOptions): Graph {
  const g = params.graph;
  const cd = params.precision.compute;
  const n = cfg.blockOutChannels.length;
  const ch = cfg.blockOutChannels;
  const factor = 2 ** (n - 1);
  if (opts.height % factor || opts.width % factor)
    throw new Error(`unet: latent size ${opts.height}×${opts.width} must be a multiple of ${factor}`);
  const { batch } = opts;
  const sample = g.input('sample', 'float32', [batch, cfg.inChannels, opts.height, opts.width]);
  const timestep = g.input('timestep', 'int64', [batch]);
  const text = g.input('encoder_hidden_states', 'float32', [batch, opts.textLength ?? CLIP_MAX_LENGTH, cfg.crossAttentionDim]);
  const layout = opts.lora ? loraLayout(cfg) : null;
  const flat = (size: number) => (typeof opts.lora === 'function' ? opts.lora(g, size) : g.input('lora', 'float32', [size]));
  const lora = layout ? new LoraInput(layout, flat(layout.size)) : null;
  const ctx: UNetContext = { cfg, params, text: cast(text, cd), lora };
  const groups = cfg.normNumGroups;
  const eps = cfg.normEps;

  const tEmb = cast(timestepEmbedding(timestep, ch[0], cfg.flipSinToCos, cfg.freqShift), cd);
  const te = params.scoped('time_embedding.');
  const tdim = cfg.timeEmbedDim;
  const temb = { value: linear(te, 'linear_2', silu(linear(te, 'linear_1', tEmb, ch[0], tdim)), tdim, tdim), dim: tdim };
  const res = (at: string, x: Value, inC: number, outC: number) => resnet(params.scoped(at), x, inC, outC, groups, eps, temb);

  let h = conv2d(params, 'conv_in', cast(sample, cd), cfg.inChannels, ch[0], cfg.convInKernel);
  const skips: Value[] = [h];
  cfg.downBlockTypes.forEach((type, i) => {
    const at = `down_blocks.${i}.`;
    for (let j = 0; j < cfg.layersPerBlock; j++) {
      h = res(`${at}resnets.${j}.`, h, j === 0 ? ch[Math.max(i - 1, 0)] : ch[i], ch[i]);
      if (type === 'CrossAttnDownBlock2D') h = transformer2d(ctx, `${at}attentions.${j}.`, h, cfg.heads[i]);
      skips.push(h);
    }
    if (i < n - 1) {
      // Downsample2D with padding 0 pads only right and bottom (F.pad(x, (0, 1, 0, 1))).
      const dp = cfg.downsamplePadding;
      h = conv2d(params.scoped(`${at}downsamplers.0.`), 'conv', h, ch[i], ch[i], 3, 2, dp ? [dp, dp, dp, dp] : [0, 0, 1, 1]);
      skips.push(h);
    }
  });

  const mid = (at: string, x: Value) => {
    const y = res(at, x, ch[n - 1], ch[n - 1]);
    return cfg.midBlockScaleFactor === 1 ? y : div(y, cfg.midBlockScaleFactor);
  };
  h = mid('mid_block.resnets.0.', h);
  h = transformer2d(ctx, 'mid_block.attentions.0.', h, cfg.heads[n - 1]);
  h = mid('mid_block.resnets.1.', h);
  if (opts.mid) g.output(cast(h, 'float32'), 'mid');

  const rev = [...ch].reverse();
  cfg.upBlockTypes.forEach((type, i) => {
    const at = `up_blocks.${i}.`;
    const prev = rev[Math.max(i - 1, 0)];
    const skipIn = rev[Math.min(i + 1, n - 1)];
    for (let j = 0; j <= cfg.layersPerBlock; j++) {
      const skip = skips.pop()!;
      const inC = (j === 0 ? prev : rev[i]) + (j === cfg.layersPerBlock ? skipIn : rev[i]);
      h = res(`${at}resnets.${j}.`, concat([h, skip], 1), inC, rev[i]);
      if (type === 'CrossAttnUpBlock2D') h = transformer2d(ctx, `${at}attentions.${j}.`, h, cfg.heads[n - 1 - i]);
    }
    if (i < n - 1) h = conv2d(params.scoped(`${at}upsamplers.0.`), 'conv', upsampleNearest(h, 2), rev[i], rev[i], 3);
  });

  h = silu(groupNorm(params, 'conv_norm_out', h, groups, eps));
  h = conv2d(params, 'conv_out', h, ch[0], cfg.outChannels, cfg.convOutKernel);
  lora?.checkComplete();
  g.output(cast(h, 'float32'), 'eps');
  return g;
}
