// Expands composite ops (an OpDef with `lower`, e.g. w2w::Attention) into standard ONNX ops in place,
// each expansion where its node stood, so the node order — and with it the runtime's memory plan — stays
// as built. Runs right before export; runtimes first swap in their fused kernels (runtime/fuse-attention.ts).
import type { Graph, Node } from './ir';
import { loweringOf } from './ops/registry';

/** Rewrites `graph` in place; returns the number of nodes expanded. */
export function lowerComposites(graph: Graph): number {
  const original = graph.nodes.splice(0);
  const out: Node[] = [];
  let count = 0;
  for (const node of original) {
    const lower = loweringOf(node.op, node.domain);
    if (!lower) {
      out.push(node);
      continue;
    }
    const results = lower(node); // appends to the (emptied) graph.nodes
    const expansion = graph.nodes.splice(0);
    // Nested composites are expanded too; then the node's own output values are bound to the results.
    graph.nodes.push(...expansion);
    count += lowerComposites(graph) + 1;
    out.push(...graph.nodes.splice(0));
    results.forEach((r, i) =>
      out.push({ op: 'Identity', domain: '', name: graph.fresh('Identity'), inputs: [r], outputs: [node.outputs[i]], attrs: {} }),
    );
  }
  graph.nodes.push(...out);
  return count;
}
