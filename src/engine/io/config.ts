// Typed readers for the diffusers/transformers configs of an SD 1.5 pipeline. Absent fields get the
// defaults diffusers 0.21 / transformers apply; fields that define the architecture and whose library
// default would not describe SD 1.5 are required. Anything the engine cannot build is rejected with an
// Error starting "unsupported: " that names the field and value, rather than silently computed wrongly.
import { ConfigFields } from './config-fields';

export type DownBlockType = 'CrossAttnDownBlock2D' | 'DownBlock2D';
export type UpBlockType = 'UpBlock2D' | 'CrossAttnUpBlock2D';

export interface UNetConfig {
  sampleSize: number | null;
  inChannels: number;
  outChannels: number;
  blockOutChannels: number[];
  layersPerBlock: number;
  downBlockTypes: DownBlockType[];
  upBlockTypes: UpBlockType[];
  midBlockType: 'UNetMidBlock2DCrossAttn';
  /**
   * Attention heads per level, in down-block order. Up block j uses heads[n−1−j] (diffusers reverses it
   * with the channels), the mid block heads[n−1]; head size = channels / heads.
   */
  heads: number[];
  crossAttentionDim: number;
  normNumGroups: number;
  normEps: number;
  flipSinToCos: boolean;
  freqShift: number;
  useLinearProjection: boolean;
  transformerLayersPerBlock: 1;
  upcastAttention: boolean;
  convInKernel: number;
  convOutKernel: number;
  downsamplePadding: number;
  midBlockScaleFactor: number;
  actFn: 'silu';
  timeEmbeddingType: 'positional';
  /** time_embedding_dim, else 4 · block_out_channels[0]. */
  timeEmbedDim: number;
}

/** Allowed entries of a `*_block_types` list, and what the error says about any other (default: the list). */
interface BlockTypes<T extends string> {
  known: readonly T[];
  why?: string;
}

/**
 * down_block_types and up_block_types: every entry known (down checked before up), then one entry per
 * block_out_channels entry (n).
 */
function blockTypes<D extends string, U extends string>(c: ConfigFields, n: number, down: BlockTypes<D>, up: BlockTypes<U>): { down: D[]; up: U[] } {
  const checked = <T extends string>(key: string, { known, why = `known: ${known.join(', ')}` }: BlockTypes<T>): T[] => {
    const list = c.strList(key);
    for (const t of list) if (!(known as readonly string[]).includes(t)) throw c.unsupported(key, why, t);
    return list as T[];
  };
  const types = { down: checked('down_block_types', down), up: checked('up_block_types', up) };
  for (const [key, list] of [['down_block_types', types.down], ['up_block_types', types.up]] as const)
    if (list.length !== n) throw c.invalid(key, `a list of ${n} (one per block_out_channels entry)`);
  return types;
}

export function parseUNetConfig(json: unknown, file = 'unet/config.json'): UNetConfig {
  const c = ConfigFields.of(json, file);
  c.only('_class_name', ['UNet2DConditionModel'], 'expected UNet2DConditionModel');
  c.only('addition_embed_type', [], 'SDXL-style added text/time embeddings');
  c.only('addition_time_embed_dim', [], 'SDXL-style added time embeddings');
  c.only('class_embed_type', [], 'class embeddings');
  c.only('num_class_embeds', [], 'class embeddings');
  c.only('class_embeddings_concat', [false], 'class embeddings');
  c.only('time_cond_proj_dim', [], 'guidance-conditioned timestep embedding (LCM)');
  c.only('encoder_hid_dim', [], 'projected encoder hidden states');
  c.only('encoder_hid_dim_type', [], 'projected encoder hidden states');
  c.only('resnet_time_scale_shift', ['default'], 'only additive timestep conditioning is built');
  c.only('resnet_skip_time_act', [false], 'not built');
  c.only('resnet_out_scale_factor', [1], 'not built');
  c.only('time_embedding_type', ['positional'], 'only sinusoidal timestep embeddings are built');
  c.only('time_embedding_act_fn', [], 'not built');
  c.only('timestep_post_act', [], 'not built');
  c.only('center_input_sample', [false], 'not built');
  c.only('act_fn', ['silu', 'swish'], 'only SiLU is built');
  c.only('dual_cross_attention', [false], 'not built');
  c.only('mid_block_only_cross_attention', [false], 'not built');
  c.only('cross_attention_norm', [], 'not built');
  c.only('attention_type', ['default'], 'gated (GLIGEN) attention is not built');
  c.only('reverse_transformer_layers_per_block', [], 'SDXL-style transformer depth');
  const onlyCross = c.get('only_cross_attention');
  if (onlyCross !== undefined && onlyCross !== false && !(Array.isArray(onlyCross) && onlyCross.every((v) => v === false)))
    throw c.unsupported('only_cross_attention', 'blocks without self-attention are not built');
  c.only('mid_block_type', ['UNetMidBlock2DCrossAttn'], 'only UNetMidBlock2DCrossAttn is built');
  // Absent means the default cross-attention mid block, explicit null none at all.
  if (c.isNull('mid_block_type')) throw c.unsupported('mid_block_type', 'a UNet without a mid block is not built');

  const blockOutChannels = c.intList('block_out_channels');
  const n = blockOutChannels.length;
  const { down: downBlockTypes, up: upBlockTypes } = blockTypes<DownBlockType, UpBlockType>(c, n,
    { known: ['CrossAttnDownBlock2D', 'DownBlock2D'] },
    { known: ['UpBlock2D', 'CrossAttnUpBlock2D'] });

  const crossAttentionDims = c.perBlock('cross_attention_dim', n);
  if (crossAttentionDims.some((d) => d !== crossAttentionDims[0]))
    throw c.unsupported('cross_attention_dim', 'per-block text widths are not built');
  const crossAttentionDim = crossAttentionDims[0];
  if (crossAttentionDim === 2048) throw c.unsupported('cross_attention_dim', "SDXL's two text encoders are not built");
  if (c.perBlock('transformer_layers_per_block', n, 1).some((d) => d !== 1))
    throw c.unsupported('transformer_layers_per_block', 'SDXL-style deep transformers are not built; must be 1');
  const layers = c.perBlock('layers_per_block', n, 2);
  if (layers.some((d) => d !== layers[0])) throw c.unsupported('layers_per_block', 'per-block resnet counts are not built');

  // diffusers quirk: SD configs store the number of heads under "attention_head_dim"; num_attention_heads
  // (refused by diffusers 0.21, taken at its word here) wins when present.
  const heads = c.get('num_attention_heads') !== undefined ? c.perBlock('num_attention_heads', n) : c.perBlock('attention_head_dim', n, 8);
  const normNumGroups = c.int('norm_num_groups', 32, 1);
  blockOutChannels.forEach((ch, i) => {
    if (ch % normNumGroups) throw c.invalid('block_out_channels', `multiples of norm_num_groups ${normNumGroups}`);
    const attends = downBlockTypes[i] === 'CrossAttnDownBlock2D' || upBlockTypes[n - 1 - i] === 'CrossAttnUpBlock2D' || i === n - 1;
    if (attends && ch % heads[i]) throw new Error(`${file}: block ${i} has ${ch} channels, not divisible by ${heads[i]} attention heads`);
  });

  const convInKernel = c.int('conv_in_kernel', 3, 1);
  const convOutKernel = c.int('conv_out_kernel', 3, 1);
  if (convInKernel % 2 === 0) throw c.invalid('conv_in_kernel', 'odd');
  if (convOutKernel % 2 === 0) throw c.invalid('conv_out_kernel', 'odd');
  const normEps = c.num('norm_eps', 1e-5);
  if (normEps <= 0) throw c.invalid('norm_eps', 'positive');
  return {
    sampleSize: c.get('sample_size') === undefined ? null : c.int('sample_size', undefined, 1),
    inChannels: c.int('in_channels', 4, 1),
    outChannels: c.int('out_channels', 4, 1),
    blockOutChannels,
    layersPerBlock: layers[0],
    downBlockTypes,
    upBlockTypes,
    midBlockType: 'UNetMidBlock2DCrossAttn',
    heads,
    crossAttentionDim,
    normNumGroups,
    normEps,
    flipSinToCos: c.bool('flip_sin_to_cos', true),
    freqShift: c.num('freq_shift', 0),
    useLinearProjection: c.bool('use_linear_projection', false),
    transformerLayersPerBlock: 1,
    upcastAttention: c.bool('upcast_attention', false),
    convInKernel,
    convOutKernel,
    downsamplePadding: c.int('downsample_padding', 1),
    midBlockScaleFactor: c.num('mid_block_scale_factor', 1),
    actFn: 'silu',
    timeEmbeddingType: 'positional',
    timeEmbedDim: c.int('time_embedding_dim', 4 * blockOutChannels[0], 1),
  };
}

export interface VaeConfig {
  sampleSize: number | null;
  inChannels: number;
  outChannels: number;
  blockOutChannels: number[];
  layersPerBlock: number;
  latentChannels: number;
  normNumGroups: number;
  scalingFactor: number;
  actFn: 'silu';
  downBlockTypes: 'DownEncoderBlock2D'[];
  upBlockTypes: 'UpDecoderBlock2D'[];
  useQuantConv: boolean;
  usePostQuantConv: boolean;
  midBlockAddAttention: boolean;
  forceUpcast: boolean;
}

export function parseVaeConfig(json: unknown, file = 'vae/config.json'): VaeConfig {
  const c = ConfigFields.of(json, file);
  c.only('_class_name', ['AutoencoderKL'], 'expected AutoencoderKL');
  c.only('act_fn', ['silu', 'swish'], 'only SiLU is built');
  c.only('shift_factor', [], 'latent shift (SD3/Flux VAEs) is not applied');
  c.only('latents_mean', [], 'per-channel latent normalization is not applied');
  c.only('latents_std', [], 'per-channel latent normalization is not applied');
  const blockOutChannels = c.intList('block_out_channels');
  const n = blockOutChannels.length;
  const { down, up } = blockTypes(c, n,
    { known: ['DownEncoderBlock2D'], why: 'only DownEncoderBlock2D is built' },
    { known: ['UpDecoderBlock2D'], why: 'only UpDecoderBlock2D is built' });
  const normNumGroups = c.int('norm_num_groups', 32, 1);
  if (blockOutChannels.some((ch) => ch % normNumGroups)) throw c.invalid('block_out_channels', `multiples of norm_num_groups ${normNumGroups}`);
  const scalingFactor = c.num('scaling_factor', 0.18215);
  if (scalingFactor <= 0) throw c.invalid('scaling_factor', 'positive');
  return {
    sampleSize: c.get('sample_size') === undefined ? null : c.int('sample_size', undefined, 1),
    inChannels: c.int('in_channels', 3, 1),
    outChannels: c.int('out_channels', 3, 1),
    blockOutChannels,
    layersPerBlock: c.int('layers_per_block', undefined, 1),
    latentChannels: c.int('latent_channels', 4, 1),
    normNumGroups,
    scalingFactor,
    actFn: 'silu',
    downBlockTypes: down,
    upBlockTypes: up,
    useQuantConv: c.bool('use_quant_conv', true),
    usePostQuantConv: c.bool('use_post_quant_conv', true),
    midBlockAddAttention: c.bool('mid_block_add_attention', true),
    forceUpcast: c.bool('force_upcast', true),
  };
}

export interface ClipTextConfig {
  hiddenSize: number;
  intermediateSize: number;
  numAttentionHeads: number;
  numHiddenLayers: number;
  maxPositionEmbeddings: number;
  vocabSize: number;
  hiddenAct: 'quick_gelu' | 'gelu';
  layerNormEps: number;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  projectionDim: number;
}

export function parseClipTextConfig(json: unknown, file = 'text_encoder/config.json'): ClipTextConfig {
  const c = ConfigFields.of(json, file);
  c.only('model_type', ['clip_text_model'], "expected a CLIPTextModel config (a full CLIP config's text_config)");
  const hiddenSize = c.int('hidden_size', undefined, 1);
  const numAttentionHeads = c.int('num_attention_heads', undefined, 1);
  if (hiddenSize % numAttentionHeads) throw c.invalid('num_attention_heads', `a divisor of hidden_size ${hiddenSize}`);
  const layerNormEps = c.num('layer_norm_eps', 1e-5);
  if (layerNormEps <= 0) throw c.invalid('layer_norm_eps', 'positive');
  return {
    hiddenSize,
    intermediateSize: c.int('intermediate_size', undefined, 1),
    numAttentionHeads,
    numHiddenLayers: c.int('num_hidden_layers', undefined, 1),
    maxPositionEmbeddings: c.int('max_position_embeddings', 77, 1),
    vocabSize: c.int('vocab_size', 49408, 1),
    hiddenAct: c.oneOf('hidden_act', ['quick_gelu', 'gelu'], 'quick_gelu'),
    layerNormEps,
    bosTokenId: c.int('bos_token_id', 49406),
    eosTokenId: c.int('eos_token_id', 49407),
    padTokenId: c.int('pad_token_id', 1),
    projectionDim: c.int('projection_dim', 512, 1),
  };
}

export interface SchedulerConfig {
  /** `_class_name`, or the class the pipeline substitutes (e.g. model_index.json's). */
  className: string;
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
  /** Explicit betas (one per train timestep), overriding the schedule. */
  trainedBetas: number[] | null;
  stepsOffset: number;
  setAlphaToOne: boolean;
  skipPrkSteps: boolean;
  predictionType: 'epsilon';
  timestepSpacing: 'leading' | 'linspace' | 'trailing';
  clipSample: boolean;
  clipSampleRange: number;
}

// Defaults that differ between scheduler classes in diffusers 0.21 (the rest are shared).
const LEADING_SPACING = ['PNDMScheduler', 'DDIMScheduler', 'DDPMScheduler'];
const CLIPS_BY_DEFAULT = ['DDIMScheduler', 'DDPMScheduler'];

/**
 * `as` loads the file as another class, as diffusers' `Cls.from_config(config)` does: the file's values
 * win, the other class's defaults fill the gaps (e.g. DDIM's clip_sample true over a PNDM config).
 */
export function parseSchedulerConfig(json: unknown, file = 'scheduler/scheduler_config.json', as?: string): SchedulerConfig {
  const c = ConfigFields.of(json, file);
  const className = as ?? c.str('_class_name');
  const predictionType = c.str('prediction_type', 'epsilon');
  if (predictionType === 'v_prediction')
    throw new Error(`unsupported: v_prediction (SD 2.x) models: prediction_type "v_prediction" in ${file}; this engine runs epsilon-prediction SD 1.5 models`);
  if (predictionType !== 'epsilon') throw c.unsupported('prediction_type', 'only epsilon prediction is supported');
  c.only('thresholding', [false], 'dynamic thresholding is not implemented');
  c.only('rescale_betas_zero_snr', [false], 'zero-terminal-SNR rescaling is not implemented');
  const numTrainTimesteps = c.int('num_train_timesteps', 1000, 1);
  const trained = c.get('trained_betas');
  if (trained !== undefined && !(Array.isArray(trained) && trained.length === numTrainTimesteps && trained.every((b) => typeof b === 'number' && b > 0 && b < 1)))
    throw c.invalid('trained_betas', `null or a list of ${numTrainTimesteps} numbers in (0, 1)`);
  return {
    className,
    numTrainTimesteps,
    betaStart: c.num('beta_start', 0.0001),
    betaEnd: c.num('beta_end', 0.02),
    betaSchedule: c.oneOf('beta_schedule', ['linear', 'scaled_linear', 'squaredcos_cap_v2'], 'linear'),
    trainedBetas: trained === undefined ? null : [...(trained as number[])],
    stepsOffset: c.int('steps_offset', 0),
    setAlphaToOne: c.bool('set_alpha_to_one', className === 'DDIMScheduler'),
    skipPrkSteps: c.bool('skip_prk_steps', false),
    predictionType,
    timestepSpacing: c.oneOf('timestep_spacing', ['leading', 'linspace', 'trailing'], LEADING_SPACING.includes(className) ? 'leading' : 'linspace'),
    clipSample: c.bool('clip_sample', CLIPS_BY_DEFAULT.includes(className)),
    clipSampleRange: c.num('clip_sample_range', 1),
  };
}
