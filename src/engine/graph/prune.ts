// Drops what no output depends on: nodes, and initializers only they read. A graph built as the
// VJP of a forward (the projector's ∂L/∂c from θ(c)) keeps forward nodes whose values the backward never
// uses; onnxruntime would run them (and bind their weights) anyway.
import type { Graph, Value } from './ir';

/** Removes unused nodes and initializers; returns how many nodes went. Inputs stay (callers feed them). */
export function pruneUnused(graph: Graph): number {
  const needed = new Set<Value>(graph.outputs.map((o) => o.value));
  const kept = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (!n.outputs.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const x of n.inputs) if (x) needed.add(x);
  }
  const removed = graph.nodes.length - kept.length;
  graph.nodes.splice(0, graph.nodes.length, ...kept.reverse());
  for (const [name, init] of graph.initializers) if (!needed.has(init.value)) graph.initializers.delete(name);
  return removed;
}
