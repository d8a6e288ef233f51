// onnxruntime-node only: each float32 w2w::Attention node (graph/ops/attention.ts) becomes one
// com.microsoft.MultiHeadAttention node, whose CPU kernel is a flash-attention loop that never holds the
// N×N scores. The op's VJP recomputes its probabilities instead of reading the forward's, so gradient
// graphs fuse their forward attention too. Not for onnxruntime-web: MultiHeadAttention gave wrong values
// on WebGPU (runtime-notes); there the op is lowered to its chunked MatMul/Softmax form.
import { attr, type Graph, type Node } from '../graph/ir';
import { ATTENTION_DOMAIN } from '../graph/ops/index';

/** Rewrites `graph` in place; returns the number of attention nodes fused. */
export function fuseAttention(graph: Graph): number {
  let count = 0;
  const fused = graph.nodes.map((n): Node => {
    if (n.op !== 'Attention' || n.domain !== ATTENTION_DOMAIN || n.inputs[0]!.dtype !== 'float32') return n;
    count++;
    return {
      op: 'MultiHeadAttention',
      domain: 'com.microsoft',
      name: graph.fresh('MultiHeadAttention'),
      inputs: n.inputs,
      outputs: n.outputs,
      attrs: { num_heads: n.attrs.num_heads, scale: attr.float(n.attrs.scale.v as number) },
    };
  });
  graph.nodes.splice(0, graph.nodes.length, ...fused);
  return count;
}
