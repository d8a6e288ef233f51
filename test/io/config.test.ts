import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseClipTextConfig, parseSchedulerConfig, parseUNetConfig, parseVaeConfig } from '../../src/engine/io/config';
import { fixturePath } from '../helpers/fixture';
import { SD15_UNET_CONFIG } from '../helpers/unet-shapes';

const fixture = async (p: string) => JSON.parse(await readFile(fixturePath(p), 'utf8'));

// runwayml/stable-diffusion-v1-5's unet config as written by diffusers 0.6: most fields absent.
const SD15_UNET = { ...SD15_UNET_CONFIG, _diffusers_version: '0.6.0' };

// The parts of stabilityai/stable-diffusion-xl-base-1.0's unet config that differ.
const SDXL_UNET = {
  ...SD15_UNET,
  addition_embed_type: 'text_time',
  addition_time_embed_dim: 256,
  attention_head_dim: [5, 10, 20],
  block_out_channels: [320, 640, 1280],
  cross_attention_dim: 2048,
  down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'],
  up_block_types: ['CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'],
  projection_class_embeddings_input_dim: 2816,
  transformer_layers_per_block: [1, 2, 10],
  use_linear_projection: true,
};

describe('UNet config', () => {
  it('parses the fixture', async () => {
    expect(parseUNetConfig(await fixture('unet/config.json'))).toEqual({
      sampleSize: 16,
      inChannels: 4,
      outChannels: 4,
      blockOutChannels: [32, 64, 64, 64],
      layersPerBlock: 2,
      downBlockTypes: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
      upBlockTypes: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
      midBlockType: 'UNetMidBlock2DCrossAttn',
      heads: [8, 8, 8, 8],
      crossAttentionDim: 32,
      normNumGroups: 32,
      normEps: 1e-5,
      flipSinToCos: true,
      freqShift: 0,
      useLinearProjection: false,
      transformerLayersPerBlock: 1,
      upcastAttention: false,
      convInKernel: 3,
      convOutKernel: 3,
      downsamplePadding: 1,
      midBlockScaleFactor: 1,
      actFn: 'silu',
      timeEmbeddingType: 'positional',
      timeEmbedDim: 128,
    });
  });

  it('fills diffusers defaults into an old SD 1.5 config', () => {
    const c = parseUNetConfig(SD15_UNET);
    expect([c.midBlockType, c.useLinearProjection, c.upcastAttention, c.timeEmbedDim, c.convInKernel]).toEqual([
      'UNetMidBlock2DCrossAttn', false, false, 1280, 3,
    ]);
    const { sample_size: _, ...noSize } = SD15_UNET;
    expect(parseUNetConfig(noSize).sampleSize).toBeNull();
  });

  it('resolves attention_head_dim as per-block head counts (SD 2.x style list)', () => {
    const c = parseUNetConfig({ ...SD15_UNET, attention_head_dim: [5, 10, 20, 20], use_linear_projection: true, cross_attention_dim: 1024 });
    expect([c.heads, c.useLinearProjection, c.crossAttentionDim]).toEqual([[5, 10, 20, 20], true, 1024]);
    expect(parseUNetConfig({ ...SD15_UNET, num_attention_heads: 16 }).heads).toEqual([16, 16, 16, 16]);
  });

  it('rejects SDXL', () => {
    expect(() => parseUNetConfig(SDXL_UNET)).toThrow(/^unsupported: addition_embed_type "text_time" in unet\/config.json/);
    const { addition_embed_type: _a, addition_time_embed_dim: _b, ...rest } = SDXL_UNET;
    expect(() => parseUNetConfig(rest)).toThrow(/^unsupported: cross_attention_dim 2048/);
    expect(() => parseUNetConfig({ ...rest, cross_attention_dim: 768 })).toThrow(/^unsupported: transformer_layers_per_block \[1,2,10\]/);
  });

  const rejections: Array<[string, Record<string, unknown>, string]> = [
    ['class embeddings', { class_embed_type: 'timestep' }, 'unsupported: class_embed_type "timestep"'],
    ['num_class_embeds', { num_class_embeds: 10 }, 'unsupported: num_class_embeds 10'],
    ['scale-shift resnets', { resnet_time_scale_shift: 'scale_shift' }, 'unsupported: resnet_time_scale_shift "scale_shift"'],
    ['LCM guidance embedding', { time_cond_proj_dim: 256 }, 'unsupported: time_cond_proj_dim 256'],
    ['GELU', { act_fn: 'gelu' }, 'unsupported: act_fn "gelu"'],
    ['dual cross attention', { dual_cross_attention: true }, 'unsupported: dual_cross_attention true'],
    ['only cross attention', { only_cross_attention: [false, true, false, false] }, 'unsupported: only_cross_attention [false,true,false,false]'],
    ['unknown down block', { down_block_types: ['SimpleCrossAttnDownBlock2D', 'DownBlock2D', 'DownBlock2D', 'DownBlock2D'] }, 'unsupported: down_block_types "SimpleCrossAttnDownBlock2D"'],
    ['unknown up block', { up_block_types: ['UpBlock2D', 'AttnUpBlock2D', 'UpBlock2D', 'UpBlock2D'] }, 'unsupported: up_block_types "AttnUpBlock2D"'],
    ['simple mid block', { mid_block_type: 'UNetMidBlock2DSimpleCrossAttn' }, 'unsupported: mid_block_type "UNetMidBlock2DSimpleCrossAttn"'],
    ['no mid block', { mid_block_type: null }, 'unsupported: mid_block_type null'],
    ['fourier time', { time_embedding_type: 'fourier' }, 'unsupported: time_embedding_type "fourier"'],
    ['projected encoder states', { encoder_hid_dim: 1024 }, 'unsupported: encoder_hid_dim 1024'],
    ['GLIGEN', { attention_type: 'gated' }, 'unsupported: attention_type "gated"'],
    ['other class', { _class_name: 'UNet2DModel' }, 'unsupported: _class_name "UNet2DModel"'],
    ['per-block layers', { layers_per_block: [1, 2, 2, 2] }, 'unsupported: layers_per_block [1,2,2,2]'],
  ];
  for (const [name, patch, message] of rejections)
    it(`rejects ${name}`, () => {
      expect(() => parseUNetConfig({ ...SD15_UNET, ...patch })).toThrow(message);
    });

  it('names missing and malformed fields', () => {
    const { block_out_channels: _, ...noChannels } = SD15_UNET;
    expect(() => parseUNetConfig(noChannels)).toThrow('missing field "block_out_channels" in unet/config.json');
    const { cross_attention_dim: _c, ...noCross } = SD15_UNET;
    expect(() => parseUNetConfig(noCross, 'x/unet/config.json')).toThrow('missing field "cross_attention_dim" in x/unet/config.json');
    expect(() => parseUNetConfig({ ...SD15_UNET, norm_eps: '1e-5' })).toThrow('unet/config.json: norm_eps must be a finite number, got "1e-5"');
    expect(() => parseUNetConfig({ ...SD15_UNET, block_out_channels: [320, 640] })).toThrow('down_block_types must be a list of 2');
    expect(() => parseUNetConfig({ ...SD15_UNET, attention_head_dim: 7 })).toThrow('block 0 has 320 channels, not divisible by 7 attention heads');
    expect(() => parseUNetConfig({ ...SD15_UNET, norm_num_groups: 48 })).toThrow('block_out_channels must be multiples of norm_num_groups 48');
    expect(() => parseUNetConfig([1])).toThrow('unet/config.json is not a JSON object');
  });
});

describe('VAE config', () => {
  it('parses the fixture', async () => {
    expect(parseVaeConfig(await fixture('vae/config.json'))).toEqual({
      sampleSize: 32,
      inChannels: 3,
      outChannels: 3,
      blockOutChannels: [32, 64, 64, 64],
      layersPerBlock: 2,
      latentChannels: 4,
      normNumGroups: 32,
      scalingFactor: 0.18215,
      actFn: 'silu',
      downBlockTypes: Array(4).fill('DownEncoderBlock2D'),
      upBlockTypes: Array(4).fill('UpDecoderBlock2D'),
      useQuantConv: true,
      usePostQuantConv: true,
      midBlockAddAttention: true,
      forceUpcast: true,
    });
  });

  it('defaults the scaling factor and rejects other autoencoders', async () => {
    const { scaling_factor: _, ...old } = await fixture('vae/config.json');
    expect(parseVaeConfig(old).scalingFactor).toBe(0.18215);
    expect(() => parseVaeConfig({ ...old, _class_name: 'AutoencoderTiny' })).toThrow('unsupported: _class_name "AutoencoderTiny"');
    expect(() => parseVaeConfig({ ...old, shift_factor: 0.1159 })).toThrow('unsupported: shift_factor 0.1159');
    expect(() => parseVaeConfig({ ...old, up_block_types: ['UpDecoderBlock2D', 'X', 'X', 'X'] })).toThrow('unsupported: up_block_types "X"');
    const { layers_per_block: _l, ...noLayers } = old;
    expect(() => parseVaeConfig(noLayers)).toThrow('missing field "layers_per_block" in vae/config.json');
  });
});

describe('CLIP text config', () => {
  it('parses the fixture', async () => {
    expect(parseClipTextConfig(await fixture('text_encoder/config.json'))).toEqual({
      hiddenSize: 32,
      intermediateSize: 128,
      numAttentionHeads: 4,
      numHiddenLayers: 2,
      maxPositionEmbeddings: 77,
      vocabSize: 49408,
      hiddenAct: 'quick_gelu',
      layerNormEps: 1e-5,
      bosTokenId: 0,
      eosTokenId: 2,
      padTokenId: 1,
      projectionDim: 32,
    });
  });

  it('accepts gelu, rejects other activations and full CLIP configs', async () => {
    const cfg = await fixture('text_encoder/config.json');
    expect(parseClipTextConfig({ ...cfg, hidden_act: 'gelu' }).hiddenAct).toBe('gelu');
    expect(() => parseClipTextConfig({ ...cfg, hidden_act: 'gelu_new' })).toThrow('unsupported: hidden_act "gelu_new"');
    expect(() => parseClipTextConfig({ ...cfg, model_type: 'clip' })).toThrow('unsupported: model_type "clip"');
    expect(() => parseClipTextConfig({ ...cfg, num_attention_heads: 5 })).toThrow('num_attention_heads must be a divisor of hidden_size 32');
    const { hidden_size: _, ...noHidden } = cfg;
    expect(() => parseClipTextConfig(noHidden)).toThrow('missing field "hidden_size" in text_encoder/config.json');
  });
});

describe('scheduler config', () => {
  it('parses the fixture (SD 1.5 PNDM)', async () => {
    expect(parseSchedulerConfig(await fixture('scheduler/scheduler_config.json'))).toEqual({
      className: 'PNDMScheduler',
      numTrainTimesteps: 1000,
      betaStart: 0.00085,
      betaEnd: 0.012,
      betaSchedule: 'scaled_linear',
      trainedBetas: null,
      stepsOffset: 1,
      setAlphaToOne: false,
      skipPrkSteps: true,
      predictionType: 'epsilon',
      timestepSpacing: 'leading',
      clipSample: false,
      clipSampleRange: 1,
    });
  });

  it('applies the defaults of the class it is loaded as', async () => {
    const cfg = await fixture('scheduler/scheduler_config.json');
    const ddim = parseSchedulerConfig(cfg, undefined, 'DDIMScheduler');
    expect([ddim.className, ddim.setAlphaToOne, ddim.clipSample, ddim.stepsOffset]).toEqual(['DDIMScheduler', false, true, 1]);
    const bare = parseSchedulerConfig({ _class_name: 'DDIMScheduler' });
    expect([bare.betaSchedule, bare.betaStart, bare.setAlphaToOne, bare.timestepSpacing]).toEqual(['linear', 0.0001, true, 'leading']);
    expect(parseSchedulerConfig({ _class_name: 'EulerDiscreteScheduler' }).timestepSpacing).toBe('linspace');
  });

  it('rejects v-prediction and what the schedulers do not implement', async () => {
    const cfg = await fixture('scheduler/scheduler_config.json');
    expect(() => parseSchedulerConfig({ ...cfg, prediction_type: 'v_prediction' })).toThrow(/^unsupported: v_prediction \(SD 2\.x\)/);
    expect(() => parseSchedulerConfig({ ...cfg, prediction_type: 'sample' })).toThrow('unsupported: prediction_type "sample"');
    expect(() => parseSchedulerConfig({ ...cfg, rescale_betas_zero_snr: true })).toThrow('unsupported: rescale_betas_zero_snr true');
    expect(() => parseSchedulerConfig({ ...cfg, beta_schedule: 'sigmoid' })).toThrow('unsupported: beta_schedule "sigmoid"');
    expect(() => parseSchedulerConfig({ ...cfg, trained_betas: [0.1] })).toThrow('trained_betas must be null or a list of 1000');
    const { _class_name: _, ...anonymous } = cfg;
    expect(() => parseSchedulerConfig(anonymous)).toThrow('missing field "_class_name" in scheduler/scheduler_config.json');
  });
});
