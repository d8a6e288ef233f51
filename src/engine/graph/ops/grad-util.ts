// Shape plumbing shared by the VJP rules. Built only from ops that have rules themselves, so gradient
// graphs stay differentiable (double backward).
import type { DType } from '../dtype';
import type { Graph, Value } from '../ir';
import { sameShape } from '../shape';
import { scalar } from './scalar';
import { expand, reduceSum, reshape } from './shape-nodes';

/** Sums a broadcast gradient back to `shape`: over the leading axes numpy added and the axes that were 1. */
export function unbroadcast(g: Value, shape: readonly number[]): Value {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes = g.shape.map((_, i) => i).filter((i) => i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1));
  return reshapeTo(axes.length ? reduceSum(g, axes, false) : g, shape);
}

/** Reshape that emits no node when the shape already matches. */
export const reshapeTo = (x: Value, shape: readonly number[]): Value => (sameShape(x.shape, shape) ? x : reshape(x, shape));

/** A zero tensor without an inline constant of the full size (gradients of large inputs may be zero). */
export const zeros = (g: Graph, dtype: DType, shape: readonly number[]): Value => expand(scalar(g, 0, dtype), shape);

/** [from, from+1, …, to-1]. */
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
