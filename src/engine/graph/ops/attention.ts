// Multi-head scaled dot-product attention as one composite op (domain `w2w`), so that neither its forward
// nor its VJP ever holds a whole N×M score matrix. At 64×64 latents SD 1.5's self-attention scores are
// 8 × 4096 × 4096 per image: 512 MiB each in float32, kept by an unfused graph for the backward pass.
// Here the rows of the queries are processed in chunks of at most CHUNK_BYTES of scores, and the VJP
// recomputes each chunk's probabilities (flash-attention's backward: dS = P ⊙ (dP − rowsum(dO ⊙ O))).
// Runtimes either map the node to a fused kernel (runtime/fuse-attention.ts on onnxruntime-node) or lower
// it to the chunked MatMul/Softmax form (graph/lower.ts); both the lowering and the VJP are built from ops
// with rules, so gradients of gradients (the pullback's JVPs) work through it.
import { attr, type Node, type Value } from '../ir';
import { DTYPE_BYTES } from '../dtype';
import { add, mul, sub } from './elementwise';
import { matmul, softmax } from './nn';
import { reduceSum } from './reduce';
import { defineOp } from './registry';
import { concat, reshape, slice, transpose } from './tensor';

export const ATTENTION_DOMAIN = 'w2w';
/** Score bytes per chunk: under WebGPU's default 128 MiB binding limit with room for the VJP's copies. */
export const CHUNK_BYTES = 64 * 1024 * 1024;

interface Dims {
  b: number;
  n: number;
  m: number;
  heads: number;
  d: number;
  dv: number;
}

function dims(node: Pick<Node, 'inputs' | 'attrs'>): Dims {
  const [q, k, v] = node.inputs;
  const heads = node.attrs.num_heads.v as number;
  return { b: q!.shape[0], n: q!.shape[1], m: k!.shape[1], heads, d: q!.shape[2] / heads, dv: v!.shape[2] / heads };
}

defineOp(
  'Attention',
  {
    infer: ([q, k, v], a) => {
      const heads = a.num_heads.v as number;
      const [Q, K, V] = [q!.shape, k!.shape, v!.shape];
      const ok = Q.length === 3 && K.length === 3 && V.length === 3 && Q[0] === K[0] && K[0] === V[0] && K[1] === V[1] &&
        Q[2] === K[2] && Q[2] % heads === 0 && V[2] % heads === 0 && q!.dtype === k!.dtype && k!.dtype === v!.dtype;
      if (!ok) throw new Error(`attention: q [${Q}], k [${K}], v [${V}] with ${heads} heads`);
      return [{ dtype: q!.dtype, shape: [Q[0], Q[1], V[2]] }];
    },
    vjp: attentionVjp,
    lower: (node) => [attentionForward(node)],
  },
  ATTENTION_DOMAIN,
);

/** softmax(q kᵀ · scale) v per head, on (B, N, H·d) projections; scale defaults to 1/√d. */
export function sdpa(q: Value, k: Value, v: Value, heads: number, chunkRows?: number): Value {
  const d = q.shape[2] / heads;
  const rowBytes = q.shape[0] * heads * k.shape[1] * DTYPE_BYTES[q.dtype];
  const rows = chunkRows ?? Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  return q.graph.apply('Attention', [q, k, v], {
    num_heads: attr.int(heads),
    scale: attr.float(1 / Math.sqrt(d)),
    chunk_rows: attr.int(Math.min(rows, q.shape[1])),
  }, undefined, ATTENTION_DOMAIN)[0];
}

/** [r0, r1) row ranges of the query chunks. */
function chunks(node: Node): [number, number][] {
  const n = node.inputs[0]!.shape[1];
  const rows = node.attrs.chunk_rows.v as number;
  const out: [number, number][] = [];
  for (let r = 0; r < n; r += rows) out.push([r, Math.min(n, r + rows)]);
  return out;
}

/** (B, L, H·e) → (B, H, L, e) and back. */
const heads = (x: Value, h: number) => transpose(reshape(x, [x.shape[0], x.shape[1], h, x.shape[2] / h]), [0, 2, 1, 3]);
const merge = (x: Value) => reshape(transpose(x, [0, 2, 1, 3]), [x.shape[0], x.shape[2], x.shape[1] * x.shape[3]]);
const rows = (x: Value, [r0, r1]: [number, number]) => (r0 === 0 && r1 === x.shape[1] ? x : slice(x, [r0], [r1], [1]));
const swap = (x: Value) => transpose(x, [0, 1, 3, 2]);
const sum = (xs: Value[]) => xs.reduce((a, b) => add(a, b));
const cat = (xs: Value[]) => (xs.length === 1 ? xs[0] : concat(xs, 1));

/** Probabilities of one chunk of query rows: softmax((q_c · scale) kᵀ) and the scaled queries. */
function probabilities(node: Node, kt: Value, range: [number, number]) {
  const { heads: h } = dims(node);
  const qs = mul(heads(rows(node.inputs[0]!, range), h), node.attrs.scale.v as number);
  return { qs, p: softmax(matmul(qs, kt), -1) };
}

function attentionForward(node: Node): Value {
  const [, k, v] = node.inputs;
  const { heads: h } = dims(node);
  const kt = swap(heads(k!, h));
  const vh = heads(v!, h);
  return cat(chunks(node).map((range) => merge(matmul(probabilities(node, kt, range).p, vh))));
}

function attentionVjp(node: Node, [gy]: readonly Value[], needs: readonly boolean[]): (Value | null)[] {
  const [q, k, v] = node.inputs;
  const o = node.outputs[0];
  const { heads: h } = dims(node);
  const scale = node.attrs.scale.v as number;
  const kh = heads(k!, h);
  const kt = swap(kh);
  const vt = swap(heads(v!, h));
  const dq: Value[] = [];
  const dk: Value[] = [];
  const dv: Value[] = [];
  for (const range of chunks(node)) {
    const { qs, p } = probabilities(node, kt, range);
    const go = heads(rows(gy, range), h);
    if (needs[2]) dv.push(matmul(swap(p), go));
    if (!needs[0] && !needs[1]) continue;
    // rowsum(dP ⊙ P) = rowsum(dO ⊙ O): a (B, H, rows, 1) term instead of another N×M product.
    const rowDot = reduceSum(mul(go, heads(rows(o, range), h)), [3]);
    const ds = mul(p, sub(matmul(go, vt), rowDot));
    if (needs[0]) dq.push(merge(mul(matmul(ds, kh), scale)));
    if (needs[1]) dk.push(matmul(swap(ds), qs));
  }
  return [needs[0] ? cat(dq) : null, needs[1] ? merge(sum(dk)) : null, needs[2] ? merge(sum(dv)) : null];
}
