// The activation memory a graph needs at least: run its nodes in order, keep each value from the node that
// makes it to its last reader (graph inputs from the start, outputs to the end), and take the largest sum
// of live bytes. Weights and constants are left out (they are counted where they are held). A runtime with
// a buffer cache holds more than this; none can hold less while running the nodes in this order.
import { DTYPE_BYTES, numel } from './dtype';
import type { Graph, Value } from './ir';

export function peakLiveBytes(graph: Graph): number {
  const bytes = (v: Value) => numel(v.shape) * DTYPE_BYTES[v.dtype];
  const lastUse = new Map<Value, number>();
  graph.nodes.forEach((n, i) => n.inputs.forEach((v) => v && lastUse.set(v, i)));
  for (const o of graph.outputs) lastUse.set(o.value, graph.nodes.length);
  const weights = new Set([...graph.initializers.values()].map((i) => i.value));
  const freeAt = new Map<number, number>();
  let live = 0;
  const hold = (v: Value, from: number) => {
    if (weights.has(v)) return;
    // A value nothing reads is still written: it lives through the node that makes it.
    const until = lastUse.get(v) ?? from;
    live += bytes(v);
    freeAt.set(until, (freeAt.get(until) ?? 0) + bytes(v));
  };
  for (const v of graph.inputs) hold(v, 0);
  let peak = live;
  graph.nodes.forEach((n, i) => {
    for (const o of n.outputs) hold(o, i);
    peak = Math.max(peak, live);
    live -= freeAt.get(i) ?? 0;
  });
  return peak;
}
