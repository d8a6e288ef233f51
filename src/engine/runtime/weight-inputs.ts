// Weights as graph inputs: every external initializer becomes an input of the same name, dtype and shape,
// so one copy of each weight (uploaded once, e.g. into a GPU buffer) can feed every session that uses it.
// onnxruntime cannot share initializers between sessions; it can share input buffers.
import type { DType } from '../graph/dtype';
import type { Graph, WeightLoader } from '../graph/ir';

export interface WeightSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly load: WeightLoader;
  /** The file it comes from (weights are the same tensor when source and name agree). */
  readonly source: string;
}

/** Turns the graph's external initializers (of the sources `binds` accepts) into inputs appended after the graph's own; returns them. */
export function weightsToInputs(graph: Graph, binds: (source: string) => boolean = () => true): WeightSpec[] {
  const specs: WeightSpec[] = [];
  for (const [name, init] of graph.initializers) {
    if (init.kind !== 'external' || !binds(init.source ?? graph.name)) continue;
    graph.initializers.delete(name);
    graph.inputs.push(init.value);
    specs.push({ name, dtype: init.value.dtype, shape: init.value.shape, load: init.load, source: init.source ?? graph.name });
  }
  return specs;
}
