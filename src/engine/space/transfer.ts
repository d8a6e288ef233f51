// Identities out of and into the space: the official w2w `.pt` (coefficients), PEFT
// (`unet/adapter_model.safetensors` + `unet/adapter_config.json`, keys as the official code writes them),
// kohya (A1111/ComfyUI) and diffusers LoRAs. Every LoRA file applies at the w2w strength by its own
// format's rule (lora-files.ts); the diffusers file states none (diffusers then takes alpha = rank), so √27
// is folded into each of A and B. Imports of weight files are projected onto the space with the relative
// residual ‖θ − θ̂‖/‖θ‖ that the projection loses.
import { openSafetensors, writeSafetensors } from '../io/safetensors';
import type { ByteSource } from '../io/source';
import { LORA_ALPHA, LORA_RANK, type LoraLayout } from '../models/lora';
import { loraToTensors, readLora, type AdapterScale, type LoraFormat, type LoraStrength } from '../models/lora-files';
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

/** What A1111's and ComfyUI's LoRA browsers show (kohya `ss_*` fields and the SAI model spec). */
function kohyaMetadata(name: string, k: number): Record<string, string> {
  return {
    ss_network_module: 'networks.lora', ss_network_dim: String(LORA_RANK), ss_network_alpha: String(LORA_ALPHA),
    ss_base_model_version: 'sd_v1', ss_output_name: name,
    'modelspec.sai_model_spec': '1.0.0', 'modelspec.architecture': 'stable-diffusion-v1/lora', 'modelspec.implementation': 'diffusers',
    'modelspec.title': name, 'modelspec.trigger_phrase': 'sks person',
    'modelspec.description': `weights2weights identity: ${k} coefficients of the w2w space (base realistic-vision-v51, SD 1.5); prompt with "sks person"`,
    w2w_k: String(k),
  };
}

export function exportIdentity(
  space: Space, layout: LoraLayout, coef: Float32Array, format: ExportFormat, opts: { fp16?: boolean; name?: string } = {},
): ExportedFile[] {
  if (coef.length > space.k) throw new Error(`identity has ${coef.length} coefficients, the space holds ${space.k}`);
  if (format === 'w2w') return [{ path: 'w2wmodel.pt', bytes: writeCoefficients(coef) }];
  const theta = space.theta(coef);
  const dtype = opts.fp16 ? 'F16' : 'F32';
  const tensors = (f: LoraFormat, statedScale?: number) =>
    loraToTensors(layout, theta, f, statedScale).map((t) => ({ ...t, dtype: t.shape.length ? dtype : 'F32' } as const));
  const name = opts.name ?? 'w2w';
  switch (format) {
    case 'peft':
      return [
        { path: 'unet/adapter_model.safetensors', bytes: writeSafetensors(tensors('w2w').sort((a, b) => (a.name < b.name ? -1 : 1))) },
        { path: 'unet/adapter_config.json', bytes: new TextEncoder().encode(JSON.stringify(adapterConfig(), null, 2)) },
      ];
    case 'kohya':
      return [{ path: `${name}.safetensors`, bytes: writeSafetensors(tensors('kohya'), kohyaMetadata(name, coef.length)) }];
    case 'diffusers':
      // Keys every diffusers since 0.21 loads; no alpha stated, so alpha = rank = 1 and A, B carry √27 each.
      return [{ path: 'pytorch_lora_weights.safetensors', bytes: writeSafetensors(tensors('diffusers-legacy', 1), { format: 'pt' }) }];
  }
}

export interface Imported {
  /** Coefficients in the space (k entries). */
  readonly coef: Float32Array;
  /** ‖θ − θ̂‖/‖θ‖ with θ̂ = θ(coef); 0 for a w2w `.pt`, which holds coefficients. */
  readonly residual: number;
  readonly format: 'w2w' | 'lora';
  /** A LoRA's strength as its file states it (the import applies it). */
  readonly strength?: LoraStrength;
}

/**
 * A w2w `.pt` (coefficients, (1, k) or (k)) or a rank-1 to_q/to_v LoRA safetensors in any key convention,
 * at the strength the file states. `config` is the adapter_config.json of a PEFT file (required for one).
 */
export async function importIdentity(space: Space, layout: LoraLayout, src: ByteSource, config?: AdapterScale): Promise<Imported> {
  try {
    return await importFrom(space, layout, src, config);
  } catch (e) {
    // Every failure names the file (the LoRA key checks speak of the layout only).
    if (!(e instanceof Error) || e.message.includes(src.name)) throw e;
    throw new Error(`${src.name}: ${e.message}`);
  }
}

/** A zip (torch.save) or a bare pickle (the legacy torch.save format, which the torch reader refuses by name). */
const isTorchFile = (head: Uint8Array) => (head[0] === 0x50 && head[1] === 0x4b) || (head[0] === 0x80 && head[1] <= 5);

async function importFrom(space: Space, layout: LoraLayout, src: ByteSource, config?: AdapterScale): Promise<Imported> {
  const head = await src.read(0, Math.min(4, src.size));
  if (isTorchFile(head)) {
    const t = await openTensor(src);
    const k = t.numel;
    if (!(t.shape.length === 1 || (t.shape.length === 2 && t.shape[0] === 1)))
      throw new Error(`${src.name}: a w2w model is a (1, k) tensor, got shape [${t.shape}]`);
    if (k > space.k) throw new Error(`${src.name} has ${k} coefficients, the space holds ${space.k}: load the space with k ≥ ${k}`);
    const coef = new Float32Array(space.k);
    coef.set(await t.read());
    return { coef, residual: 0, format: 'w2w' };
  }
  const { flat: theta, strength } = await readLora(layout, await openSafetensors(src), config);
  const coef = space.coef(theta);
  return { coef, residual: relativeResidual(theta, space.theta(coef)), format: 'lora', strength };
}
