// LoRA files of the w2w layout in the key conventions other tools use, and the strength each file
// states by its own format's rule. A file holds A (rank, in) and B (out, rank) per module and applies
// ΔW = s · B A, where s = alpha / rank comes from the file: kohya's `.alpha` per module, PEFT's
// adapter_config.json, diffusers' `lora_adapter_metadata` header, else diffusers' default alpha = rank.
// The flat vector always applies at LORA_SCALE, so a file stating s carries A and B each multiplied by
// √(LORA_SCALE / s), and reading divides that evenly back out: a file we write reads back exactly.
import type { TensorToWrite } from '../io/safetensors';
import { LORA_RANK, LORA_SCALE, layoutRank, peftKey, type LoraLayout } from './lora';
import type { TensorSource } from './params';

/**
 * Key conventions: `peft` = PEFT's adapter_model.safetensors, `w2w` = the same with the adapter name the
 * official code inserts (`.lora_A.identity1.weight`), `diffusers` = diffusers ≥ 0.26's
 * pytorch_lora_weights.safetensors (`unet.<module>.lora_A.weight`), `diffusers-legacy` = the
 * LoRACompatibleLinear keys of diffusers 0.21–0.25 (`unet.<module>.lora.down.weight`), which current
 * diffusers converts on load, `kohya` = A1111/ComfyUI (`lora_down`/`lora_up` plus an `.alpha` per module).
 */
export type LoraFormat = 'peft' | 'w2w' | 'diffusers' | 'diffusers-legacy' | 'kohya';
export const LORA_FORMATS: readonly LoraFormat[] = ['peft', 'w2w', 'diffusers', 'diffusers-legacy', 'kohya'];

/** The safetensors header field where diffusers ≥ 0.34 stores the LoRA config (JSON, keys may carry `unet.`). */
export const DIFFUSERS_METADATA_KEY = 'lora_adapter_metadata';

/** A kohya module name (`lora_unet_` + the UNet path with '_' for '.'): what build-space reads keys back from. */
export const KOHYA_UNET_PREFIX = 'lora_unet_';

export function loraKey(module: string, part: 'A' | 'B', format: LoraFormat): string {
  switch (format) {
    case 'peft':
      return peftKey(module, part);
    case 'w2w':
      return `base_model.model.${module}.lora_${part}.identity1.weight`;
    case 'diffusers':
      return `unet.${module}.lora_${part}.weight`;
    case 'diffusers-legacy':
      return `unet.${module}.lora.${part === 'A' ? 'down' : 'up'}.weight`;
    case 'kohya':
      return `${kohyaModule(module)}.lora_${part === 'A' ? 'down' : 'up'}.weight`;
  }
}

const kohyaModule = (module: string) => `${KOHYA_UNET_PREFIX}${module.replaceAll('.', '_')}`;
const kohyaAlphaKey = (module: string) => `${kohyaModule(module)}.alpha`;

/**
 * The named tensors of a flat vector, in flat order, for a file that states `statedScale` (alpha / rank;
 * kohya: each module's `.alpha` after its B states LORA_ALPHA, so leave it at LORA_SCALE).
 */
export function loraToTensors(
  layout: LoraLayout, flat: Float32Array, format: LoraFormat = 'peft', statedScale = LORA_SCALE,
): (TensorToWrite & { name: string })[] {
  if (flat.length !== layout.size) throw new Error(`LoRA vector has ${flat.length} values, the UNet's layout needs ${layout.size}`);
  const f = Math.sqrt(LORA_SCALE / statedScale);
  const out: (TensorToWrite & { name: string })[] = [];
  for (const t of layout.tensors) {
    const data = flat.slice(t.offset, t.offset + t.size);
    if (f !== 1) for (let i = 0; i < data.length; i++) data[i] *= f;
    out.push({ name: loraKey(t.module, t.part, format), dtype: 'F32', shape: [...t.shape], data });
    if (format === 'kohya' && t.part === 'B')
      out.push({ name: kohyaAlphaKey(t.module), dtype: 'F32', shape: [], data: Float32Array.of(statedScale * LORA_RANK) });
  }
  return out;
}

export type LoraSource = Pick<TensorSource, 'name' | 'keys' | 'info' | 'readFloat32'> & { readonly metadata?: Readonly<Record<string, string>> };

/** adapter_config.json's scale fields. */
export interface AdapterScale {
  lora_alpha?: number;
  r?: number;
}

/** What a file states about its strength, as the import report shows it. */
export interface LoraStrength {
  /** alpha / rank; kohya files may state a different one per module (min and max then differ). */
  readonly min: number;
  readonly max: number;
  /** Where it came from. */
  readonly rule: string;
}

export interface LoraRead {
  /** The flat vector (applies at LORA_SCALE). */
  readonly flat: Float32Array;
  readonly format: LoraFormat;
  readonly strength: LoraStrength;
}

/** The format whose key for the first tensor the file holds. */
export function detectLoraFormat(layout: LoraLayout, keys: readonly string[]): LoraFormat {
  const have = new Set(keys);
  const first = layout.tensors[0];
  const found = LORA_FORMATS.find((f) => have.has(loraKey(first.module, first.part, f)));
  if (!found)
    throw new Error(
      `not a LoRA for this UNet's w2w layout: none of ${LORA_FORMATS.map((f) => loraKey(first.module, first.part, f)).join(', ')} found`,
    );
  return found;
}

function positive(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${what} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

/** alpha / r of a config, r defaulting to the layout's rank and alpha to r (PEFT/diffusers defaults). */
function scaleOf(c: Record<string, unknown>, what: string, rank: number, prefix = ''): number {
  const r = positive(c[`${prefix}r`], `${what} ${prefix}r`) ?? rank;
  return (positive(c[`${prefix}lora_alpha`], `${what} ${prefix}lora_alpha`) ?? r) / r;
}

/** The one strength a non-kohya file states, by its format's rule. */
function statedScale(src: LoraSource, format: LoraFormat, rank: number, config?: AdapterScale): { scale: number; rule: string } {
  if (config) return { scale: scaleOf({ ...config }, 'adapter_config.json', rank), rule: 'adapter_config.json' };
  if (format === 'peft' || format === 'w2w')
    throw new Error(`${src.name}: a PEFT adapter states its strength (lora_alpha, r) in its adapter_config.json; pick both files together`);
  const meta = src.metadata?.[DIFFUSERS_METADATA_KEY];
  if (meta !== undefined) {
    let c: unknown;
    try {
      c = JSON.parse(meta);
    } catch (e) {
      throw new Error(`${src.name}: ${DIFFUSERS_METADATA_KEY} is not valid JSON (${(e as Error).message})`);
    }
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new Error(`${src.name}: ${DIFFUSERS_METADATA_KEY} is not a JSON object`);
    const rec = c as Record<string, unknown>;
    // diffusers' pipeline-level save prefixes each field with the component ("unet.lora_alpha").
    const prefix = 'unet.r' in rec || 'unet.lora_alpha' in rec ? 'unet.' : '';
    return { scale: scaleOf(rec, `${src.name}: ${DIFFUSERS_METADATA_KEY}`, rank, prefix), rule: `the file's ${DIFFUSERS_METADATA_KEY}` };
  }
  return { scale: 1, rule: "no alpha in the file: alpha = rank, diffusers' default" };
}

/**
 * The flat vector of a LoRA file in any LoraFormat, at the strength the file states (see above); `config`
 * is the adapter_config.json beside a PEFT file (required for one). A and B are each multiplied by
 * √(s / LORA_SCALE), so ΔW is the one the file's own loader applies.
 */
export async function readLora(layout: LoraLayout, src: LoraSource, config?: AdapterScale): Promise<LoraRead> {
  const keys = new Set(src.keys());
  const format = detectLoraFormat(layout, [...keys]);
  const rank = layoutRank(layout);
  const stated = format === 'kohya' ? undefined : statedScale(src, format, rank, config);
  const used = new Set<string>();
  const flat = new Float32Array(layout.size);
  let [min, max] = [Infinity, -Infinity];
  let alphaMissing = false;
  for (const m of layout.modules.values()) {
    let scale = stated?.scale;
    if (scale === undefined) {
      const alphaKey = kohyaAlphaKey(m.module);
      used.add(alphaKey);
      alphaMissing ||= !keys.has(alphaKey);
      scale = keys.has(alphaKey) ? positive((await src.readFloat32(alphaKey))[0], `${src.name}: ${alphaKey}`)! / rank : 1;
    }
    [min, max] = [Math.min(min, scale), Math.max(max, scale)];
    const f = Math.sqrt(scale / LORA_SCALE);
    for (const t of [m.a, m.b]) {
      const key = loraKey(t.module, t.part, format);
      used.add(key);
      if (!keys.has(key)) throw new Error(`missing LoRA tensor ${key} in ${src.name}`);
      const got = src.info(key).shape;
      if (got.length !== 2 || got[0] !== t.shape[0] || got[1] !== t.shape[1])
        throw new Error(`LoRA tensor ${key} in ${src.name} has shape [${got}], the w2w layout needs [${t.shape}]`);
      const data = await src.readFloat32(key);
      for (let i = 0; i < t.size; i++) flat[t.offset + i] = f === 1 ? data[i] : data[i] * f;
    }
  }
  const extra = [...keys].find((k) => !used.has(k));
  if (extra !== undefined) throw new Error(`LoRA ${src.name} holds ${extra}, outside the w2w layout (to_q/to_v of attn1/attn2)`);
  const rule = stated?.rule ?? (alphaMissing ? "each module's .alpha, alpha = rank where absent" : "each module's .alpha");
  return { flat, format, strength: { min, max, rule } };
}

/** "27 (adapter_config.json)" or "13.5–27 (each module's .alpha)". */
export function describeStrength(s: LoraStrength): string {
  const n = (x: number) => String(+x.toPrecision(4));
  return `${s.min === s.max ? n(s.min) : `${n(s.min)}–${n(s.max)}`} (${s.rule})`;
}
