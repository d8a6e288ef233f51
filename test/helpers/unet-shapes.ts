// The weight names and shapes of a diffusers UNet2DConditionModel checkpoint, written out from the
// diffusers module definitions (independently of src/engine/models/unet.ts), for fake weight sources
// that build full-size graphs without the 3.4 GB file. Checked against the fixture's real header.
import type { UNetConfig } from '../../src/engine/io/config';
import type { TensorSource } from '../../src/engine/models/params';

/** stablediffusionapi/realistic-vision-v51's unet/config.json, architecture fields (the rest default). */
export const SD15_UNET_CONFIG = {
  _class_name: 'UNet2DConditionModel',
  act_fn: 'silu',
  attention_head_dim: 8,
  block_out_channels: [320, 640, 1280, 1280],
  center_input_sample: false,
  cross_attention_dim: 768,
  down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  downsample_padding: 1,
  flip_sin_to_cos: true,
  freq_shift: 0,
  in_channels: 4,
  layers_per_block: 2,
  mid_block_scale_factor: 1,
  norm_eps: 1e-5,
  norm_num_groups: 32,
  out_channels: 4,
  sample_size: 64,
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
};

export function unetWeightShapes(cfg: UNetConfig): Map<string, number[]> {
  const m = new Map<string, number[]>();
  const T = cfg.timeEmbedDim;
  const X = cfg.crossAttentionDim;
  const ch = cfg.blockOutChannels;
  const n = ch.length;
  const linear = (k: string, i: number, o: number, bias = true) => {
    m.set(`${k}.weight`, [o, i]);
    if (bias) m.set(`${k}.bias`, [o]);
  };
  const conv = (k: string, i: number, o: number, kk: number) => {
    m.set(`${k}.weight`, [o, i, kk, kk]);
    m.set(`${k}.bias`, [o]);
  };
  const norm = (k: string, c: number) => {
    m.set(`${k}.weight`, [c]);
    m.set(`${k}.bias`, [c]);
  };
  const resnet = (k: string, i: number, o: number) => {
    norm(`${k}.norm1`, i);
    conv(`${k}.conv1`, i, o, 3);
    linear(`${k}.time_emb_proj`, T, o);
    norm(`${k}.norm2`, o);
    conv(`${k}.conv2`, o, o, 3);
    if (i !== o) conv(`${k}.conv_shortcut`, i, o, 1);
  };
  const attn = (k: string, c: number, kv: number) => {
    linear(`${k}.to_q`, c, c, false);
    linear(`${k}.to_k`, kv, c, false);
    linear(`${k}.to_v`, kv, c, false);
    linear(`${k}.to_out.0`, c, c);
  };
  const transformer = (k: string, c: number) => {
    norm(`${k}.norm`, c);
    const proj = (name: string) => (cfg.useLinearProjection ? linear(`${k}.${name}`, c, c) : conv(`${k}.${name}`, c, c, 1));
    proj('proj_in');
    const b = `${k}.transformer_blocks.0`;
    norm(`${b}.norm1`, c);
    attn(`${b}.attn1`, c, c);
    norm(`${b}.norm2`, c);
    attn(`${b}.attn2`, c, X);
    norm(`${b}.norm3`, c);
    linear(`${b}.ff.net.0.proj`, c, 8 * c);
    linear(`${b}.ff.net.2`, 4 * c, c);
    proj('proj_out');
  };

  conv('conv_in', cfg.inChannels, ch[0], cfg.convInKernel);
  linear('time_embedding.linear_1', ch[0], T);
  linear('time_embedding.linear_2', T, T);
  // Channels of each skip connection, pushed as the down path produces them.
  const skips = [ch[0]];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cfg.layersPerBlock; j++) {
      resnet(`down_blocks.${i}.resnets.${j}`, j ? ch[i] : i ? ch[i - 1] : ch[0], ch[i]);
      if (cfg.downBlockTypes[i] === 'CrossAttnDownBlock2D') transformer(`down_blocks.${i}.attentions.${j}`, ch[i]);
      skips.push(ch[i]);
    }
    if (i < n - 1) {
      conv(`down_blocks.${i}.downsamplers.0.conv`, ch[i], ch[i], 3);
      skips.push(ch[i]);
    }
  }
  resnet('mid_block.resnets.0', ch[n - 1], ch[n - 1]);
  transformer('mid_block.attentions.0', ch[n - 1]);
  resnet('mid_block.resnets.1', ch[n - 1], ch[n - 1]);
  let cur = ch[n - 1];
  for (let i = 0; i < n; i++) {
    const out = ch[n - 1 - i];
    for (let j = 0; j <= cfg.layersPerBlock; j++) {
      resnet(`up_blocks.${i}.resnets.${j}`, cur + skips.pop()!, out);
      cur = out;
      if (cfg.upBlockTypes[i] === 'CrossAttnUpBlock2D') transformer(`up_blocks.${i}.attentions.${j}`, out);
    }
    if (i < n - 1) conv(`up_blocks.${i}.upsamplers.0.conv`, out, out, 3);
  }
  norm('conv_norm_out', ch[0]);
  conv('conv_out', ch[0], cfg.outChannels, cfg.convOutKernel);
  return m;
}

/** A weight source that knows names and shapes only: building a graph never reads weights. */
export function shapeOnlySource(name: string, shapes: ReadonlyMap<string, readonly number[]>): TensorSource {
  const unread = (k: string) => Promise.reject(new Error(`${name}: shape-only source, ${k} has no data`));
  return {
    name,
    keys: () => [...shapes.keys()],
    info: (k) => ({ dtype: 'F32', shape: shapes.get(k)! }),
    readFloat32: unread,
    readFloat16Bits: unread,
  };
}
