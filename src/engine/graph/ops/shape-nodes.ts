// The Reshape, Expand and ReduceSum nodes that grad-util's shape plumbing emits. A leaf module: the op modules
// whose VJP rules use grad-util (tensor, reduce, elementwise, nn) are then not imported back by it.
import { attr, type Value } from '../ir';
import { int64s } from './scalar';

export const reshape = (x: Value, shape: readonly number[]): Value =>
  x.graph.apply('Reshape', [x, int64s(x.graph, shape)])[0];

export const expand = (x: Value, shape: readonly number[]): Value =>
  x.graph.apply('Expand', [x, int64s(x.graph, shape)])[0];

export const reduceSum = (x: Value, axes: readonly number[], keepdims = true): Value =>
  x.graph.apply('ReduceSum', [x, int64s(x.graph, axes)], { keepdims: attr.int(keepdims ? 1 : 0) })[0];
