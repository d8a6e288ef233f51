// Ops that move data without arithmetic: reshape, transpose, concat, slice, pad, expand, gather; each
// with its VJP rule (most are another op of this file run the other way).
import { attr, type Attrs, type Value } from '../ir';
import { broadcastShapes, normAxis, resolveReshape } from '../shape';
import { range, unbroadcast, zeros } from './grad-util';
import { defineOp } from './registry';
import { int64s, scalar } from './scalar';
import { expand, reshape } from './shape-nodes';

export { expand, reshape };

/** Static int64 vector carried by a constant input (reshape targets, slice bounds…). */
export function constInts(v: Value | null): number[] {
  if (!v) return [];
  const init = v.graph.initializers.get(v.name);
  if (!init || init.kind !== 'inline' || v.dtype !== 'int64') throw new Error(`${v.name} must be an int64 constant`);
  const b = init.bytes;
  return Array.from(new BigInt64Array(b.buffer, b.byteOffset, b.byteLength / 8), Number);
}

defineOp('Reshape', {
  infer: ([x, s]) => [{ dtype: x!.dtype, shape: resolveReshape(x!.shape, constInts(s)) }],
  vjp: ({ inputs: [x] }, [gy]) => [reshape(gy, x!.shape), null],
});

const permOf = (x: Value, a: Attrs): readonly number[] =>
  a.perm ? (a.perm.v as number[]) : x.shape.map((_, i) => x.shape.length - 1 - i);

defineOp('Transpose', {
  infer: ([x], a) => [{ dtype: x!.dtype, shape: permOf(x!, a).map((p) => x!.shape[p]) }],
  vjp: ({ inputs: [x], attrs }, [gy]) => {
    const perm = permOf(x!, attrs);
    return [transpose(gy, perm.map((_, i) => perm.indexOf(i)))];
  },
});

defineOp('Concat', {
  infer: (xs, a) => {
    const first = xs[0]!;
    const ax = normAxis(a.axis.v as number, first.shape.length);
    const shape = [...first.shape];
    shape[ax] = xs.reduce((s, x) => s + x!.shape[ax], 0);
    for (const x of xs)
      if (x!.shape.some((d, i) => i !== ax && d !== first.shape[i]))
        throw new Error(`concat: [${x!.shape}] does not match [${first.shape}] off axis ${ax}`);
    return [{ dtype: first.dtype, shape }];
  },
  vjp: ({ inputs, attrs }, [gy], needs) => {
    const ax = normAxis(attrs.axis.v as number, gy.shape.length);
    let at = 0;
    return inputs.map((x, i) => {
      const from = at;
      at += x!.shape[ax];
      return needs[i] ? slice(gy, [from], [at], [ax]) : null;
    });
  },
});

/** Python-style slice bounds resolved against a dim, as ONNX Slice clamps them. */
export function sliceDims(shape: readonly number[], starts: number[], ends: number[], axes: number[], steps: number[]) {
  const out = [...shape];
  const resolved = axes.map((axis, i) => {
    const ax = normAxis(axis, shape.length);
    const dim = shape[ax];
    const step = steps[i] ?? 1;
    if (step !== 1) throw new Error('slice: only step 1 is supported');
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    const s = clamp(starts[i]);
    const e = Math.max(clamp(ends[i]), s);
    out[ax] = e - s;
    return { axis: ax, start: s, end: e };
  });
  return { shape: out, resolved };
}

/** A Slice node's bounds, from its constant inputs. */
function sliceOf([x, st, en, ax, sp]: readonly (Value | null)[]) {
  const starts = constInts(st);
  return sliceDims(x!.shape, starts, constInts(en), ax ? constInts(ax) : starts.map((_, i) => i), constInts(sp));
}

defineOp('Slice', {
  infer: (inputs) => [{ dtype: inputs[0]!.dtype, shape: sliceOf(inputs).shape }],
  // Zero-pad the gradient back to the input's size (steps are always 1).
  vjp: ({ inputs }, [gy]) => {
    const x = inputs[0]!;
    const r = x.shape.length;
    const pads = Array<number>(2 * r).fill(0);
    for (const { axis, start, end } of sliceOf(inputs).resolved) {
      pads[axis] = start;
      pads[axis + r] = x.shape[axis] - end;
    }
    return [pad(gy, pads), null, null, null, null];
  },
});

defineOp('Pad', {
  infer: ([x, p]) => {
    const pads = constInts(p);
    const r = x!.shape.length;
    return [{ dtype: x!.dtype, shape: x!.shape.map((d, i) => d + pads[i] + pads[i + r]) }];
  },
  vjp: ({ inputs: [x, p], attrs }, [gy], needs) => {
    const pads = constInts(p);
    if ((attrs.mode?.v ?? 'constant') !== 'constant' || pads.some((d) => d < 0))
      throw new Error('Pad: gradient only for constant mode with non-negative pads');
    if (needs[2]) throw new Error('Pad: gradient w.r.t. the pad value is not supported');
    const r = x!.shape.length;
    const begins = pads.slice(0, r);
    return [slice(gy, begins, begins.map((b, i) => b + x!.shape[i]), range(0, r)), null, null];
  },
});

defineOp('Expand', {
  infer: ([x, s]) => [{ dtype: x!.dtype, shape: broadcastShapes(x!.shape, constInts(s)) }],
  vjp: ({ inputs: [x] }, [gy]) => [unbroadcast(gy, x!.shape), null],
});

defineOp('Gather', {
  infer: ([data, idx], a) => {
    const ax = normAxis((a.axis?.v as number) ?? 0, data!.shape.length);
    const shape = [...data!.shape.slice(0, ax), ...idx!.shape, ...data!.shape.slice(ax + 1)];
    return [{ dtype: data!.dtype, shape }];
  },
  // Scatter-add the gradient rows back: repeated indices accumulate, as they must.
  vjp: ({ inputs: [data, idx], attrs }, [gy]) => {
    const d = data!.shape;
    const ax = normAxis((attrs.axis?.v as number) ?? 0, d.length);
    const n = idx!.shape.reduce((a, b) => a * b, 1);
    const rows = reshape(gy, [...d.slice(0, ax), n, ...d.slice(ax + 1)]);
    const at = expand(reshape(idx!, d.map((_, i) => (i === ax ? n : 1))), rows.shape);
    return [scatterAdd(zeros(gy.graph, gy.dtype, d), at, rows, ax), null];
  },
});

defineOp('GatherElements', {
  infer: ([data, idx]) => [{ dtype: data!.dtype, shape: idx!.shape }],
  vjp: ({ inputs: [data, idx], attrs }, [gy]) => [
    scatterAdd(zeros(gy.graph, gy.dtype, data!.shape), idx!, gy, (attrs.axis?.v as number) ?? 0),
    null,
  ],
});

defineOp('ScatterElements', {
  infer: ([data]) => [{ dtype: data!.dtype, shape: data!.shape }],
  vjp: ({ inputs: [, idx], attrs }, [gy], needs) => {
    if (attrs.reduction?.v !== 'add') throw new Error('ScatterElements: gradient only for reduction "add"');
    return [needs[0] ? gy : null, null, needs[2] ? gatherElements(gy, idx!, (attrs.axis?.v as number) ?? 0) : null];
  },
});

export const transpose = (x: Value, perm: readonly number[]): Value =>
  x.graph.apply('Transpose', [x], { perm: attr.ints(perm) })[0];

export const concat = (xs: readonly Value[], axis: number): Value =>
  xs.length === 1 ? xs[0] : xs[0].graph.apply('Concat', xs, { axis: attr.int(axis) })[0];

export function slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[]): Value {
  const g = x.graph;
  return g.apply('Slice', [x, int64s(g, starts), int64s(g, ends), int64s(g, axes)])[0];
}

/** Constant zero padding; `pads` = [begin_0..begin_r, end_0..end_r] as ONNX orders them. */
export function pad(x: Value, pads: readonly number[]): Value {
  const g = x.graph;
  return g.apply('Pad', [x, int64s(g, pads), scalar(g, 0, x.dtype)], { mode: attr.string('constant') })[0];
}

export const gather = (data: Value, indices: Value, axis = 0): Value =>
  data.graph.apply('Gather', [data, indices], { axis: attr.int(axis) })[0];

/** out[i, j] = data[indices[i, j], j] for axis 0, likewise along other axes; `indices` has the output's shape. */
export const gatherElements = (data: Value, indices: Value, axis: number): Value =>
  data.graph.apply('GatherElements', [data, indices], { axis: attr.int(axis) })[0];

/** A copy of `data` with `updates` added at `indices` along `axis` (repeats accumulate). */
export const scatterAdd = (data: Value, indices: Value, updates: Value, axis: number): Value =>
  data.graph.apply('ScatterElements', [data, indices, updates], {
    axis: attr.int(axis),
    reduction: attr.string('add'),
  })[0];
