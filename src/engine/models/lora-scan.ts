// The LoRA layout a file itself declares (its UNet modules, A/B shapes and rank), for building a space from
// LoRAs of any targets and rank: read back from the keys of every LoraFormat. kohya keys write the module
// path with '_' for '.', so the diffusers names that contain '_' are restored from a list; anything else
// (a text-encoder tensor, a key of no known convention) is named.
import { layoutOf, type LoraLayout, type LoraSpec } from './lora';
import { KOHYA_UNET_PREFIX, type LoraSource } from './lora-files';

/** diffusers UNet path pieces that contain '_' (the rest of a kohya name's '_' are '.'). */
const UNDERSCORED = [
  'down_blocks', 'up_blocks', 'mid_block', 'transformer_blocks', 'to_q', 'to_k', 'to_v', 'to_out', 'proj_in', 'proj_out',
  'time_emb_proj', 'conv_shortcut', 'conv_in', 'conv_out', 'conv_norm_out', 'time_embedding', 'linear_1', 'linear_2',
  'add_embedding',
];

function kohyaModule(name: string): string {
  let m = name.slice(KOHYA_UNET_PREFIX.length).replaceAll('_', '.');
  for (const t of UNDERSCORED) m = m.replaceAll(t.replaceAll('_', '.'), t);
  return m;
}

/** Module and part of one LoRA key, or a note on why it is none (undefined: not a weight, e.g. `.alpha`). */
export function parseLoraKey(key: string): { module: string; part: 'A' | 'B' } | undefined {
  let m = /^base_model\.model\.(.+)\.lora_([AB])(?:\.[^.]+)?\.weight$/.exec(key) ?? /^unet\.(.+)\.lora_([AB])\.weight$/.exec(key);
  if (m) return { module: m[1], part: m[2] as 'A' | 'B' };
  m = /^unet\.(.+)\.lora\.(down|up)\.weight$/.exec(key);
  if (m) return { module: m[1], part: m[2] === 'down' ? 'A' : 'B' };
  m = /^(lora_unet_.+)\.lora_(down|up)\.weight$/.exec(key);
  if (m) return { module: kohyaModule(m[1]), part: m[2] === 'down' ? 'A' : 'B' };
  if (key.startsWith(KOHYA_UNET_PREFIX) && key.endsWith('.alpha')) return undefined;
  throw new Error(`${key} is not a UNet LoRA weight in a known convention (PEFT base_model.model.*, diffusers unet.*, kohya lora_unet_*)`);
}

/** The layout of the LoRA in `src`: every module's A (rank, in) and B (out, rank), in sorted PEFT key order. */
export function loraLayoutOfFile(src: LoraSource): LoraLayout {
  const specs: LoraSpec[] = [];
  for (const key of src.keys()) {
    let parsed;
    try {
      parsed = parseLoraKey(key);
    } catch (e) {
      throw new Error(`${src.name}: ${(e as Error).message}`);
    }
    if (!parsed) continue;
    const shape = src.info(key).shape;
    if (shape.length !== 2) throw new Error(`${src.name}: LoRA tensor ${key} has shape [${shape}], a LoRA weight is 2-D`);
    specs.push({ ...parsed, shape: [shape[0], shape[1]] });
  }
  if (!specs.length) throw new Error(`${src.name} holds no UNet LoRA weights`);
  const layout = layoutOf(specs);
  const rank = layout.tensors[0].shape[0];
  for (const m of layout.modules.values())
    if (m.a.shape[0] !== rank || m.b.shape[1] !== rank)
      throw new Error(`${src.name}: module ${m.module} has A [${m.a.shape}] and B [${m.b.shape}], the file's first module has rank ${rank}`);
  return layout;
}
