// Reductions. ReduceSum takes axes as an input (opset 13); ReduceMean as an attribute (opset 17).
import { attr, type Value } from '../ir';
import { normAxis } from '../shape';
import { defineOp } from './registry';
import { constInts } from './tensor';
import { int64s } from './scalar';

function reducedShape(shape: readonly number[], axes: number[], keep: boolean): number[] {
  const ax = new Set(axes.map((a) => normAxis(a, shape.length)));
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!ax.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

defineOp('ReduceSum', {
  infer: ([x, axes], a) => [
    { dtype: x!.dtype, shape: reducedShape(x!.shape, constInts(axes), (a.keepdims?.v ?? 1) === 1) },
  ],
});

defineOp('ReduceMean', {
  infer: ([x], a) => [
    { dtype: x!.dtype, shape: reducedShape(x!.shape, a.axes.v as number[], (a.keepdims?.v ?? 1) === 1) },
  ],
});

export const reduceSum = (x: Value, axes: readonly number[], keepdims = true): Value =>
  x.graph.apply('ReduceSum', [x, int64s(x.graph, axes)], { keepdims: attr.int(keepdims ? 1 : 0) })[0];

export const reduceMean = (x: Value, axes: readonly number[], keepdims = true): Value =>
  x.graph.apply('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) })[0];
