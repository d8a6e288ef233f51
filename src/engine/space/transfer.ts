// Identities out of and into the space: the official w2w `.pt` (coefficients), PEFT/diffusers
// (`unet/adapter_model.safetensors` + `unet/adapter_config.json`, keys as the official code writes them),
// kohya (A1111/ComfyUI) and diffusers `unet.` LoRAs. Imports of weight files are projected onto the space
// with the relative residual ‖θ − θ̂‖/‖θ‖ that the projection loses.
import { openSafetensors, writeSafetensors } from '../io/safetensors';
import type { ByteSource } from '../io/source';
import { LORA_ALPHA, LORA_RANK, LORA_SCALE, loraFromTensors, loraToTensors, type LoraLayout } from '../models/lora';
import { relativeResidual } from './math';
import { openTensor, writeCoefficients } from './pt';
import type { Space } from './space';

export type ExportFormat = 'w2w' | 'peft' | 'kohya' | 'diffusers';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['w2w', 'peft', 'kohya', 'diffusers'];

export interface ExportedFile {
  /** Relative path, forward slashes. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** PEFT's adapter config for the w2w LoRA, with the fields of the released files/adapter_config.json. */
export function adapterConfig(): Record<string, unknown> {
  return {
    alpha_pattern: {},
    auto_mapping: { base_model_class: 'UNet2DConditionModel', parent_library: 'diffusers.models.unets.unet_2d_condition' },
    base_model_name_or_path: null, bias: 'none', fan_in_fan_out: false, inference_mode: true, init_lora_weights: true,
    layer_replication: null, layers_pattern: null, layers_to_transform: null, loftq_config: {}, lora_alpha: LORA_ALPHA,
    lora_dropout: 0.0, megatron_config: null, megatron_core: 'megatron.core', modules_to_save: null, peft_type: 'LORA',
    r: LORA_RANK, rank_pattern: {}, revision: null, target_modules: ['query', 'value', 'to_v', 'to_q'], task_type: null,
    use_dora: false, use_rslora: false,
  };
}

export function exportIdentity(
  space: Space, layout: LoraLayout, coef: Float32Array, format: ExportFormat, opts: { fp16?: boolean; name?: string } = {},
): ExportedFile[] {
  if (coef.length > space.k) throw new Error(`identity has ${coef.length} coefficients, the space holds ${space.k}`);
  if (format === 'w2w') return [{ path: 'w2wmodel.pt', bytes: writeCoefficients(coef) }];
  const theta = space.theta(coef);
  const dtype = opts.fp16 ? 'F16' : 'F32';
  const tensors = (f: 'w2w' | 'kohya' | 'diffusers') => loraToTensors(layout, theta, f).map((t) => ({ ...t, dtype: t.shape.length ? dtype : 'F32' } as const));
  switch (format) {
    case 'peft':
      return [
        { path: 'unet/adapter_model.safetensors', bytes: writeSafetensors(tensors('w2w').sort((a, b) => (a.name < b.name ? -1 : 1))) },
        { path: 'unet/adapter_config.json', bytes: new TextEncoder().encode(JSON.stringify(adapterConfig(), null, 2)) },
      ];
    case 'kohya':
      return [{ path: `${opts.name ?? 'w2w'}.safetensors`, bytes: writeSafetensors(tensors('kohya'), { ss_network_dim: String(LORA_RANK), ss_network_alpha: String(LORA_ALPHA) }) }];
    case 'diffusers':
      return [{ path: 'pytorch_lora_weights.safetensors', bytes: writeSafetensors(tensors('diffusers')) }];
  }
}

export interface Imported {
  /** Coefficients in the space (k entries). */
  readonly coef: Float32Array;
  /** ‖θ − θ̂‖/‖θ‖ with θ̂ = θ(coef); 0 for a w2w `.pt`, which holds coefficients. */
  readonly residual: number;
  readonly format: 'w2w' | 'lora';
}

/**
 * A w2w `.pt` (coefficients, (1, k) or (k)) or a rank-1 to_q/to_v LoRA safetensors in any key convention.
 * `config` is an adapter_config.json beside a PEFT file (its lora_alpha / r scales B).
 */
export async function importIdentity(space: Space, layout: LoraLayout, src: ByteSource, config?: { lora_alpha?: number; r?: number }): Promise<Imported> {
  try {
    return await importFrom(space, layout, src, config);
  } catch (e) {
    // Every failure names the file (the LoRA key checks speak of the layout only).
    if (!(e instanceof Error) || e.message.includes(src.name)) throw e;
    throw new Error(`${src.name}: ${e.message}`);
  }
}

async function importFrom(space: Space, layout: LoraLayout, src: ByteSource, config?: { lora_alpha?: number; r?: number }): Promise<Imported> {
  const head = await src.read(0, Math.min(4, src.size));
  if (head[0] === 0x50 && head[1] === 0x4b) {
    const t = await openTensor(src);
    const k = t.numel;
    if (!(t.shape.length === 1 || (t.shape.length === 2 && t.shape[0] === 1)))
      throw new Error(`${src.name}: a w2w model is a (1, k) tensor, got shape [${t.shape}]`);
    if (k > space.k) throw new Error(`${src.name} has ${k} coefficients, the space holds ${space.k}: load the space with k ≥ ${k}`);
    const coef = new Float32Array(space.k);
    coef.set(await t.read());
    return { coef, residual: 0, format: 'w2w' };
  }
  const file = await openSafetensors(src);
  const scale = config?.lora_alpha !== undefined ? config.lora_alpha / (config.r ?? LORA_RANK) : LORA_SCALE;
  const theta = await loraFromTensors(layout, file, scale);
  const coef = space.coef(theta);
  return { coef, residual: relativeResidual(theta, space.theta(coef)), format: 'lora' };
}
