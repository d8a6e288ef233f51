// transformers CLIPTextModel up to last_hidden_state: token + position embeddings, pre-LN encoder layers
// with the causal mask, final LayerNorm. Weights keep their hub names (text_model.*).
import type { DType } from '../graph/dtype';
import type { Graph, Value } from '../graph/ir';
import { add, cast, gather, slice, tensorConst } from '../graph/ops/index';
import type { ClipTextConfig } from '../io/config';
import { CLIP_MAX_LENGTH } from '../text/tokenizer';
import { attention, gelu, layerNormP, linear, quickGelu } from './layers';
import type { Params } from './params';

/** Most negative finite value: transformers fills the mask with finfo(dtype).min; exp() of it is exactly 0. */
const LOWEST: Partial<Record<DType, number>> = { float32: -3.4028234663852886e38, float16: -65504 };

const ACTIVATIONS: Record<ClipTextConfig['hiddenAct'], (x: Value) => Value> = { quick_gelu: quickGelu, gelu };

/** [1, 1, T, T]: 0 on and below the diagonal, the dtype's lowest value above it. */
function causalMask(g: Graph, len: number, dtype: DType): Value {
  const lowest = LOWEST[dtype];
  if (lowest === undefined) throw new Error(`clip: no causal mask for ${dtype}`);
  const m = Array.from({ length: len * len }, (_, i) => (i % len > Math.floor(i / len) ? lowest : 0));
  return tensorConst(g, dtype, [1, 1, len, len], m);
}

function encoderLayer(p: Params, cfg: ClipTextConfig, x: Value, mask: Value, act: (x: Value) => Value): Value {
  const d = cfg.hiddenSize;
  const a = p.scoped('self_attn.');
  const n1 = layerNormP(p, 'layer_norm1', x, cfg.layerNormEps);
  const q = linear(a, 'q_proj', n1, d, d);
  const k = linear(a, 'k_proj', n1, d, d);
  const v = linear(a, 'v_proj', n1, d, d);
  const h = add(x, linear(a, 'out_proj', attention(q, k, v, cfg.numAttentionHeads, mask), d, d));
  const n2 = layerNormP(p, 'layer_norm2', h, cfg.layerNormEps);
  const mlp = linear(p, 'mlp.fc2', act(linear(p, 'mlp.fc1', n2, d, cfg.intermediateSize)), cfg.intermediateSize, d);
  return add(h, mlp);
}

/** Input `input_ids` int64 [B, 77]; output `last_hidden_state` float32 [B, 77, hidden_size]. */
export function buildClipText(cfg: ClipTextConfig, params: Params, { batch }: { batch: number }): Graph {
  const act = ACTIVATIONS[cfg.hiddenAct];
  const len = CLIP_MAX_LENGTH;
  if (cfg.maxPositionEmbeddings < len)
    throw new Error(`clip: max_position_embeddings ${cfg.maxPositionEmbeddings} < ${len} tokens`);
  const g = params.graph;
  const d = cfg.hiddenSize;
  const p = params.scoped('text_model.');
  const ids = g.input('input_ids', 'int64', [batch, len]);

  const tokens = gather(p.get('embeddings.token_embedding.weight', [cfg.vocabSize, d]), ids);
  const positions = p.get('embeddings.position_embedding.weight', [cfg.maxPositionEmbeddings, d]);
  let h = add(tokens, len === cfg.maxPositionEmbeddings ? positions : slice(positions, [0], [len], [0]));

  const mask = causalMask(g, len, params.precision.compute);
  for (let i = 0; i < cfg.numHiddenLayers; i++) h = encoderLayer(p.scoped(`encoder.layers.${i}.`), cfg, h, mask, act);
  h = layerNormP(p, 'final_layer_norm', h, cfg.layerNormEps);
  g.output(cast(h, 'float32'), 'last_hidden_state');
  return g;
}
