// Reductions. ReduceSum takes axes as an input (opset 13); ReduceMean as an attribute (opset 17).
// Their VJP spreads the gradient back over the reduced axes.
import { attr, type Value } from '../ir';
import { normAxis } from '../shape';
import { reshapeTo } from './grad-util';
import { defineOp } from './registry';
import { constInts, expand } from './tensor';
import { mul } from './elementwise';

export { reduceSum } from './shape-nodes';

function reducedShape(shape: readonly number[], axes: number[], keep: boolean): number[] {
  const ax = new Set(axes.map((a) => normAxis(a, shape.length)));
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!ax.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

/** The gradient of a sum (or mean) over `axes`: gy copied along them (divided by their size). */
function spread(gy: Value, x: Value, axes: number[], mean: boolean): Value {
  const ax = new Set(axes.map((a) => normAxis(a, x.shape.length)));
  const count = x.shape.reduce((c, d, i) => (ax.has(i) ? c * d : c), 1);
  const g = mean ? mul(gy, 1 / count) : gy;
  return expand(reshapeTo(g, x.shape.map((d, i) => (ax.has(i) ? 1 : d))), x.shape);
}

defineOp('ReduceSum', {
  infer: ([x, axes], a) => [
    { dtype: x!.dtype, shape: reducedShape(x!.shape, constInts(axes), (a.keepdims?.v ?? 1) === 1) },
  ],
  vjp: ({ inputs: [x, axes] }, [gy]) => [spread(gy, x!, constInts(axes), false), null],
});

defineOp('ReduceMean', {
  infer: ([x], a) => [
    { dtype: x!.dtype, shape: reducedShape(x!.shape, a.axes.v as number[], (a.keepdims?.v ?? 1) === 1) },
  ],
  vjp: ({ inputs: [x], attrs }, [gy]) => [spread(gy, x!, attrs.axes.v as number[], true)],
});

export const reduceMean = (x: Value, axes: readonly number[], keepdims = true): Value =>
  x.graph.apply('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) })[0];
