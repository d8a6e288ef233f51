// Neural-network ops: matmul, convolutions, softmax, normalizations, nearest upsampling.
import { attr, type Attrs, type Value } from '../ir';
import { broadcastShapes, normAxis } from '../shape';
import { defineOp } from './registry';
import { tensorConst } from './scalar';

defineOp('MatMul', {
  infer: ([a, b]) => {
    const A = a!.shape;
    const B = b!.shape;
    if (A.length < 2 || B.length < 2) throw new Error(`matmul: rank < 2 ([${A}] @ [${B}])`);
    if (A[A.length - 1] !== B[B.length - 2]) throw new Error(`matmul: [${A}] @ [${B}]`);
    const batch = broadcastShapes(A.slice(0, -2), B.slice(0, -2));
    return [{ dtype: a!.dtype, shape: [...batch, A[A.length - 2], B[B.length - 1]] }];
  },
});

const ints = (a: Attrs, k: string, dflt: number[]): number[] => (a[k] ? [...(a[k].v as number[])] : dflt);

/** Spatial attrs of Conv/ConvTranspose with ONNX defaults filled in. */
export function convAttrs(a: Attrs, kernel: readonly number[]) {
  const n = kernel.length;
  return {
    strides: ints(a, 'strides', Array(n).fill(1)),
    pads: ints(a, 'pads', Array(2 * n).fill(0)),
    dilations: ints(a, 'dilations', Array(n).fill(1)),
    group: (a.group?.v as number) ?? 1,
    outputPadding: ints(a, 'output_padding', Array(n).fill(0)),
  };
}

defineOp('Conv', {
  infer: ([x, w], a) => {
    const k = w!.shape.slice(2);
    const { strides, pads, dilations, group } = convAttrs(a, k);
    if (x!.shape[1] !== w!.shape[1] * group) throw new Error(`conv: input [${x!.shape}] vs weight [${w!.shape}]`);
    const spatial = k.map(
      (kk, i) => Math.floor((x!.shape[2 + i] + pads[i] + pads[i + k.length] - dilations[i] * (kk - 1) - 1) / strides[i]) + 1,
    );
    return [{ dtype: x!.dtype, shape: [x!.shape[0], w!.shape[0], ...spatial] }];
  },
});

defineOp('ConvTranspose', {
  infer: ([x, w], a) => {
    const k = w!.shape.slice(2);
    const { strides, pads, dilations, group, outputPadding } = convAttrs(a, k);
    const spatial = k.map(
      (kk, i) =>
        strides[i] * (x!.shape[2 + i] - 1) + outputPadding[i] + (kk - 1) * dilations[i] + 1 - pads[i] - pads[i + k.length],
    );
    return [{ dtype: x!.dtype, shape: [x!.shape[0], w!.shape[1] * group, ...spatial] }];
  },
});

defineOp('Softmax', { infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }] });
defineOp('InstanceNormalization', { infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }] });
defineOp('LayerNormalization', { infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }] });

defineOp('Resize', {
  infer: ([x, , scales], a) => {
    if ((a.mode?.v ?? 'nearest') !== 'nearest') throw new Error('resize: only nearest is supported');
    const init = scales && scales.graph.initializers.get(scales.name);
    if (!init || init.kind !== 'inline') throw new Error('resize: scales must be a constant');
    const s = new Float32Array(init.bytes.slice().buffer);
    return [{ dtype: x!.dtype, shape: x!.shape.map((d, i) => Math.floor(d * s[i])) }];
  },
});

export const matmul = (a: Value, b: Value): Value => a.graph.apply('MatMul', [a, b])[0];

export interface ConvOptions {
  strides?: number[];
  pads?: number[];
  dilations?: number[];
  group?: number;
}

export function conv(x: Value, w: Value, b: Value | null, o: ConvOptions = {}): Value {
  const n = w.shape.length - 2;
  return x.graph.apply('Conv', b ? [x, w, b] : [x, w], {
    kernel_shape: attr.ints(w.shape.slice(2)),
    strides: attr.ints(o.strides ?? Array(n).fill(1)),
    pads: attr.ints(o.pads ?? Array(2 * n).fill(0)),
    dilations: attr.ints(o.dilations ?? Array(n).fill(1)),
    group: attr.int(o.group ?? 1),
  })[0];
}

export function convTranspose(x: Value, w: Value, o: ConvOptions & { outputPadding?: number[] } = {}): Value {
  const n = w.shape.length - 2;
  return x.graph.apply('ConvTranspose', [x, w], {
    kernel_shape: attr.ints(w.shape.slice(2)),
    strides: attr.ints(o.strides ?? Array(n).fill(1)),
    pads: attr.ints(o.pads ?? Array(2 * n).fill(0)),
    dilations: attr.ints(o.dilations ?? Array(n).fill(1)),
    group: attr.int(o.group ?? 1),
    output_padding: attr.ints(o.outputPadding ?? Array(n).fill(0)),
  })[0];
}

export const softmax = (x: Value, axis = -1): Value =>
  x.graph.apply('Softmax', [x], { axis: attr.int(normAxis(axis, x.shape.length)) })[0];

/** Normalizes each (n, c) slice over the spatial axes; scale/bias have shape [C]. */
export const instanceNorm = (x: Value, scale: Value, bias: Value, eps: number): Value =>
  x.graph.apply('InstanceNormalization', [x, scale, bias], { epsilon: attr.float(eps) })[0];

/** Normalizes over the last axis; scale/bias have the last dim's shape. */
export const layerNorm = (x: Value, scale: Value, bias: Value, eps: number): Value =>
  x.graph.apply('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(eps) })[0];

/** torch's F.interpolate(mode='nearest') with an integer factor on the two spatial axes. */
export function upsampleNearest(x: Value, factor: number): Value {
  const g = x.graph;
  const scales = tensorConst(g, 'float32', [4], [1, 1, factor, factor]);
  return g.apply('Resize', [x, null, scales], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  })[0];
}
