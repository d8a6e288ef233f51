// The weights2weights LoRA: rank 1, alpha 27, on to_q and to_v of attn1 and attn2 in every transformer
// block of the UNet. Its flat vector (the w2w weight space's coordinates) concatenates the tensors in the
// string order of their PEFT keys, each row-major. Everything here is derived from the UNet config.
import type { Value } from '../graph/ir';
import { add, cast, matmul, mul, reshape, slice } from '../graph/ops/index';
import type { UNetConfig } from '../io/config';

export const LORA_RANK = 1;
export const LORA_ALPHA = 27;
/** W' = W + LORA_SCALE · B A. */
export const LORA_SCALE = LORA_ALPHA / LORA_RANK;

/** The targeted projections inside one BasicTransformerBlock. */
const TARGETS = ['attn1.to_q', 'attn1.to_v', 'attn2.to_q', 'attn2.to_v'] as const;

export interface LoraTensor {
  /** PEFT key `base_model.model.<module>.lora_{A,B}.weight`. */
  readonly key: string;
  readonly module: string;
  readonly part: 'A' | 'B';
  /** A is (rank, in), B is (out, rank). */
  readonly shape: readonly [number, number];
  /** Start in the flat vector. */
  readonly offset: number;
  readonly size: number;
}

export interface LoraModule {
  /** Path in the UNet, e.g. `mid_block.attentions.0.transformer_blocks.0.attn2.to_v`. */
  readonly module: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly a: LoraTensor;
  readonly b: LoraTensor;
}

export interface LoraLayout {
  /** In flat order. */
  readonly tensors: readonly LoraTensor[];
  readonly modules: ReadonlyMap<string, LoraModule>;
  /** D: length of the flat vector. */
  readonly size: number;
}

/** The PEFT key of a LoRA tensor: the layout's name for it (and the order of the flat vector). */
export const peftKey = (module: string, part: 'A' | 'B'): string => `base_model.model.${module}.lora_${part}.weight`;

/** Each BasicTransformerBlock's module path (ending in '.') and width, as UNet2DConditionModel nests them. */
function transformerBlocks(cfg: UNetConfig): { path: string; width: number }[] {
  const out: { path: string; width: number }[] = [];
  const n = cfg.blockOutChannels.length;
  const push = (attentions: string, count: number, width: number) => {
    for (let j = 0; j < count; j++)
      for (let k = 0; k < cfg.transformerLayersPerBlock; k++)
        out.push({ path: `${attentions}.${j}.transformer_blocks.${k}.`, width });
  };
  cfg.downBlockTypes.forEach((t, i) => {
    if (t === 'CrossAttnDownBlock2D') push(`down_blocks.${i}.attentions`, cfg.layersPerBlock, cfg.blockOutChannels[i]);
  });
  push('mid_block.attentions', 1, cfg.blockOutChannels[n - 1]);
  cfg.upBlockTypes.forEach((t, i) => {
    if (t === 'CrossAttnUpBlock2D') push(`up_blocks.${i}.attentions`, cfg.layersPerBlock + 1, cfg.blockOutChannels[n - 1 - i]);
  });
  return out;
}

export function loraLayout(cfg: UNetConfig): LoraLayout {
  const specs: LoraSpec[] = [];
  for (const { path, width } of transformerBlocks(cfg)) {
    for (const t of TARGETS) {
      const module = path + t;
      const inF = t === 'attn2.to_v' ? cfg.crossAttentionDim : width;
      specs.push({ module, part: 'A', shape: [LORA_RANK, inF] });
      specs.push({ module, part: 'B', shape: [width, LORA_RANK] });
    }
  }
  return layoutOf(specs);
}

export interface LoraSpec {
  readonly module: string;
  readonly part: 'A' | 'B';
  readonly shape: readonly [number, number];
}

/** The layout of any set of LoRA tensors (an A and a B per module): flat order = sorted PEFT keys. */
export function layoutOf(specs: readonly LoraSpec[]): LoraLayout {
  // Plain code-unit order, as Python's sorted() orders these ASCII keys.
  const sorted = specs.map((s) => ({ ...s, key: peftKey(s.module, s.part) })).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  let offset = 0;
  const tensors = sorted.map((s) => {
    const size = s.shape[0] * s.shape[1];
    const t: LoraTensor = { ...s, offset, size };
    offset += size;
    return t;
  });
  const modules = new Map<string, LoraModule>();
  for (const a of tensors) {
    if (a.part !== 'A') continue;
    const b = tensors.find((t) => t.module === a.module && t.part === 'B');
    if (!b) throw new Error(`LoRA module ${a.module} has an A (lora_down) but no B (lora_up)`);
    modules.set(a.module, { module: a.module, inFeatures: a.shape[1], outFeatures: b.shape[0], a, b });
  }
  const orphan = tensors.find((t) => t.part === 'B' && !modules.has(t.module));
  if (orphan) throw new Error(`LoRA module ${orphan.module} has a B (lora_up) but no A (lora_down)`);
  return { tensors, modules, size: offset };
}

/** The rank of a layout's LoRAs (rows of A); the w2w layout's is LORA_RANK. */
export const layoutRank = (layout: LoraLayout): number => layout.tensors[0]?.shape[0] ?? LORA_RANK;

/**
 * The flat vector as a graph value feeding the UNet's projections: y = W x + 27 · B (A x), with A and B
 * sliced out of the vector inside the graph so a new identity is a new input, not a new session.
 */
export class LoraInput {
  private readonly applied = new Set<string>();

  constructor(
    readonly layout: LoraLayout,
    /** float32 [D]. */
    readonly flat: Value,
  ) {
    if (flat.shape.length !== 1 || flat.shape[0] !== layout.size)
      throw new Error(`lora input [${flat.shape}] does not match the layout's ${layout.size} values`);
  }

  /** `y` (the base projection of `x`) plus the LoRA term when `module` is targeted. */
  apply(module: string, x: Value, y: Value): Value {
    const m = this.layout.modules.get(module);
    if (!m) return y;
    this.applied.add(module);
    const part = (t: LoraTensor) => slice(this.flat, [t.offset], [t.offset + t.size], [0]);
    const a = reshape(cast(part(m.a), x.dtype), [m.inFeatures, LORA_RANK]);
    // The scale folds into B (a [out] vector) rather than into the [B, N, out] product.
    const b = reshape(cast(mul(part(m.b), LORA_SCALE), x.dtype), [LORA_RANK, m.outFeatures]);
    return add(y, matmul(matmul(x, a), b));
  }

  /** Throws unless every module of the layout was applied: the layout and the graph disagree otherwise. */
  checkComplete(): void {
    const missed = [...this.layout.modules.keys()].filter((k) => !this.applied.has(k));
    if (missed.length) throw new Error(`LoRA layout modules not in the UNet graph: ${missed.slice(0, 3).join(', ')}`);
  }
}
