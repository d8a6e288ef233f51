// onnxruntime-node only: replaces each unmasked float32 attention (models/layers.ts attention()) with one
// com.microsoft.MultiHeadAttention node, whose CPU kernel is a flash-attention loop that never holds the
// N×N score matrix. Not for onnxruntime-web: that op gave wrong values on WebGPU (runtime-notes). A site
// is left unfused when anything outside it reads its intermediates: in a gradient graph the backward
// pass reads the softmax, so gradient graphs keep the unfused, differentiable form.
import { attr, type Graph, type Node, type Value } from '../graph/ir';
import { attentionSites } from '../models/layers';

/** Rewrites `graph` in place; returns the number of attention calls fused. */
export function fuseAttention(graph: Graph): number {
  const sites = attentionSites(graph);
  if (!sites.length) return 0;
  const readers = new Map<Value, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  const graphOutputs = new Set(graph.outputs.map((o) => o.value));
  const removed = new Set<Node>();
  const replaced = new Map<Node, Node>();
  for (const s of sites) {
    if (![s.q, s.k, s.v].every((x) => x.dtype === 'float32')) continue;
    const inside = new Set(s.nodes);
    const internal = s.nodes.flatMap((n) => n.outputs).filter((v) => v !== s.out);
    if (internal.some((v) => graphOutputs.has(v) || (readers.get(v) ?? []).some((r) => !inside.has(r)))) continue;
    const last = s.nodes[s.nodes.length - 1];
    if (last.outputs[0] !== s.out) throw new Error(`fuseAttention: site output ${s.out.name} is not its last node's`);
    s.nodes.forEach((n) => removed.add(n));
    replaced.set(last, {
      op: 'MultiHeadAttention',
      domain: 'com.microsoft',
      name: graph.fresh('MultiHeadAttention'),
      inputs: [s.q, s.k, s.v],
      outputs: [s.out],
      attrs: { num_heads: attr.int(s.heads) },
    });
  }
  const kept = graph.nodes.flatMap((n) => (replaced.has(n) ? [replaced.get(n)!] : removed.has(n) ? [] : [n]));
  graph.nodes.splice(0, graph.nodes.length, ...kept);
  // Small constants only the removed nodes read (reshape shapes, the score scale).
  const read = new Set(kept.flatMap((n) => n.inputs));
  for (const [name, init] of graph.initializers) if (init.kind === 'inline' && !read.has(init.value)) graph.initializers.delete(name);
  return replaced.size;
}
