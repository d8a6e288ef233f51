// Ops that move data without arithmetic: reshape, transpose, concat, slice, pad, expand, gather.
import { attr, type Value } from '../ir';
import { broadcastShapes, normAxis, resolveReshape } from '../shape';
import { defineOp } from './registry';
import { int64s, scalar } from './scalar';

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
});

defineOp('Transpose', {
  infer: ([x], a) => {
    const perm = a.perm ? (a.perm.v as number[]) : x!.shape.map((_, i) => x!.shape.length - 1 - i);
    return [{ dtype: x!.dtype, shape: perm.map((p) => x!.shape[p]) }];
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

defineOp('Slice', {
  infer: ([x, st, en, ax, sp]) => {
    const starts = constInts(st);
    const axes = ax ? constInts(ax) : starts.map((_, i) => i);
    return [{ dtype: x!.dtype, shape: sliceDims(x!.shape, starts, constInts(en), axes, constInts(sp)).shape }];
  },
});

defineOp('Pad', {
  infer: ([x, p]) => {
    const pads = constInts(p);
    const r = x!.shape.length;
    return [{ dtype: x!.dtype, shape: x!.shape.map((d, i) => d + pads[i] + pads[i + r]) }];
  },
});

defineOp('Expand', {
  infer: ([x, s]) => [{ dtype: x!.dtype, shape: broadcastShapes(x!.shape, constInts(s)) }],
});

defineOp('Gather', {
  infer: ([data, idx], a) => {
    const ax = normAxis((a.axis?.v as number) ?? 0, data!.shape.length);
    const shape = [...data!.shape.slice(0, ax), ...idx!.shape, ...data!.shape.slice(ax + 1)];
    return [{ dtype: data!.dtype, shape }];
  },
});

export const reshape = (x: Value, shape: readonly number[]): Value =>
  x.graph.apply('Reshape', [x, int64s(x.graph, shape)])[0];

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

export const expand = (x: Value, shape: readonly number[]): Value =>
  x.graph.apply('Expand', [x, int64s(x.graph, shape)])[0];

export const gather = (data: Value, indices: Value, axis = 0): Value =>
  data.graph.apply('Gather', [data, indices], { axis: attr.int(axis) })[0];
