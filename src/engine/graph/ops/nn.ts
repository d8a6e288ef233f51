// Neural-network ops: matmul, convolutions, softmax, normalizations, nearest upsampling, with VJP rules
// w.r.t. activations (weight gradients are never needed: the engine differentiates w.r.t. inputs).
import { attr, type Attrs, type Node, type Value } from '../ir';
import { broadcastShapes, normAxis } from '../shape';
import { add, cast, mul, reciprocal, sqrt, sub } from './elementwise';
import { range, reshapeTo, unbroadcast } from './grad-util';
import { numel } from '../dtype';
import { reduceMean, reduceSum } from './reduce';
import { defineOp } from './registry';
import { tensorConst } from './scalar';
import { transpose } from './tensor';

defineOp('MatMul', {
  infer: ([a, b]) => {
    const A = a!.shape;
    const B = b!.shape;
    if (A.length < 2 || B.length < 2) throw new Error(`matmul: rank < 2 ([${A}] @ [${B}])`);
    if (A[A.length - 1] !== B[B.length - 2]) throw new Error(`matmul: [${A}] @ [${B}]`);
    const batch = broadcastShapes(A.slice(0, -2), B.slice(0, -2));
    return [{ dtype: a!.dtype, shape: [...batch, A[A.length - 2], B[B.length - 1]] }];
  },
  vjp: ({ inputs: [a, b] }, [gy], needs) => [
    needs[0] ? unbroadcast(matmul(gy, swapLast2(b!)), a!.shape) : null,
    needs[1] ? unbroadcast(matmulGradB(recast(a!), gy), b!.shape) : null,
  ],
});

/**
 * ∂/∂B of A·B: Aᵀ·G, or (Gᵀ·A)ᵀ when A is a large matrix and G thin (the w2w basis V_k [D, k] times the
 * coefficients [k, 1]): then only the thin operands are transposed, never a copy of A.
 */
function matmulGradB(a: Value, gy: Value): Value {
  const thin = a.shape.length === 2 && gy.shape.length === 2 && numel(a.shape) > numel(gy.shape) + a.shape[1] * gy.shape[1];
  return thin ? swapLast2(matmul(swapLast2(gy), a)) : matmul(swapLast2(a), gy);
}

/**
 * A weight stored in a narrower dtype and cast for the product is cast again where the backward needs it,
 * so the forward's wide copy (4 GB for V_k at k = 10,000) is not kept alive across the whole graph.
 */
function recast(x: Value): Value {
  const p = x.producer;
  const src = p?.op === 'Cast' ? p.inputs[0] : undefined;
  return src && !src.producer && x.graph.initializers.has(src.name) ? cast(src, x.dtype) : x;
}

// y = A·op(B) + C on matrices, op(B) = Bᵀ when transB: torch.nn.Linear on its hub-layout (out, in) weight
// with no transposed copy of the weight, in the forward or in the VJP (which reads B as stored).
defineOp('Gemm', {
  infer: ([a, b, c], at) => {
    const tb = (at.transB?.v ?? 0) === 1;
    const [m, k] = a!.shape;
    const [bk, n] = tb ? [b!.shape[1], b!.shape[0]] : b!.shape;
    if (a!.shape.length !== 2 || b!.shape.length !== 2 || k !== bk || at.transA?.v || (at.alpha?.v ?? 1) !== 1 || (at.beta?.v ?? 1) !== 1)
      throw new Error(`gemm: [${a!.shape}] · [${b!.shape}]${tb ? 'ᵀ' : ''} (only transB, alpha = beta = 1)`);
    if (c) broadcastShapes(c.shape, [m, n]);
    return [{ dtype: a!.dtype, shape: [m, n] }];
  },
  vjp: ({ inputs: [a, b, c], attrs }, [gy], needs) => {
    const tb = (attrs.transB?.v ?? 0) === 1;
    return [
      needs[0] ? matmul(gy, tb ? b! : transpose(b!, [1, 0])) : null,
      needs[1] ? (tb ? matmul(transpose(gy, [1, 0]), a!) : matmul(transpose(a!, [1, 0]), gy)) : null,
      needs[2] && c ? unbroadcast(gy, c.shape) : null,
    ];
  },
});

/** xᵀ over the last two axes; undoes a Transpose that did just that (linear layers' Wᵀ) instead of stacking another. */
function swapLast2(x: Value): Value {
  const r = x.shape.length;
  const perm = [...range(0, r - 2), r - 1, r - 2];
  const p = x.producer;
  const undo = p?.op === 'Transpose' && (p.attrs.perm?.v as number[] | undefined)?.every((d, i) => d === perm[i]);
  return undo ? p.inputs[0]! : transpose(x, perm);
}

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
  // The transposed convolution with the same weight; output_padding restores the rows a stride dropped.
  vjp: (n, [gy], needs) => {
    const [x, w] = n.inputs;
    const k = w!.shape.slice(2);
    const { strides, pads, dilations, group } = convGradAttrs(n, needs);
    const outputPadding = k.map(
      (kk, i) =>
        x!.shape[2 + i] - (strides[i] * (gy.shape[2 + i] - 1) + (kk - 1) * dilations[i] + 1 - pads[i] - pads[i + k.length]),
    );
    return [convTranspose(gy, w!, { strides, pads, dilations, group, outputPadding }), null, null];
  },
});

/** Conv/ConvTranspose attrs for a gradient w.r.t. the input; weight and bias gradients are not supported. */
function convGradAttrs(n: Node, needs: readonly boolean[]) {
  if (needs[1] || needs[2]) throw new Error(`${n.op}: gradient w.r.t. the weight or bias is not supported (node ${n.name})`);
  if (n.attrs.auto_pad && n.attrs.auto_pad.v !== 'NOTSET') throw new Error(`${n.op}: gradient needs explicit pads`);
  if (n.attrs.output_shape) throw new Error(`${n.op}: gradient needs output_padding, not output_shape`);
  return convAttrs(n.attrs, n.inputs[1]!.shape.slice(2));
}

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
  vjp: (n, [gy], needs) => {
    const { strides, pads, dilations, group } = convGradAttrs(n, needs);
    return [conv(gy, n.inputs[1]!, null, { strides, pads, dilations, group }), null, null];
  },
});

defineOp('Softmax', {
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
  // y ⊙ (gy − Σ gy ⊙ y) along the softmax axis.
  vjp: ({ outputs: [y], attrs }, [gy]) => {
    const axis = normAxis((attrs.axis?.v as number) ?? -1, y.shape.length);
    return [mul(y, sub(gy, reduceSum(mul(gy, y), [axis])))];
  },
});

/**
 * Gradient through (x − mean) / √(var + eps) over `axes`, given the gradient `gn` w.r.t. that normalized
 * value: rstd · (gn − mean(gn) − x̂ · mean(gn ⊙ x̂)). The statistics are recomputed (the fused forward ops
 * do not output them), in float32 for float16 graphs as the forward kernels do, since x² overflows half.
 */
function normalizeVjp(x: Value, gn: Value, axes: number[], eps: number): Value {
  if (x.dtype === 'float16') return cast(normalizeVjp(cast(x, 'float32'), cast(gn, 'float32'), axes, eps), 'float16');
  const xc = sub(x, reduceMean(x, axes));
  const rstd = reciprocal(sqrt(add(reduceMean(mul(xc, xc), axes), eps)));
  const xhat = mul(xc, rstd);
  return mul(rstd, sub(sub(gn, reduceMean(gn, axes)), mul(xhat, reduceMean(mul(gn, xhat), axes))));
}

const normGradInputsOnly = (n: Node, needs: readonly boolean[]) => {
  if (needs[1] || needs[2]) throw new Error(`${n.op}: gradient w.r.t. scale or bias is not supported (node ${n.name})`);
};

defineOp('InstanceNormalization', {
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
  vjp: (n, [gy], needs) => {
    normGradInputsOnly(n, needs);
    const [x, scale] = n.inputs;
    const r = x!.shape.length;
    const gn = mul(gy, reshapeTo(scale!, [scale!.shape[0], ...Array<number>(r - 2).fill(1)]));
    return [normalizeVjp(x!, gn, range(2, r), (n.attrs.epsilon?.v as number) ?? 1e-5), null, null];
  },
});

defineOp('LayerNormalization', {
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
  vjp: (n, [gy], needs) => {
    normGradInputsOnly(n, needs);
    const [x, scale] = n.inputs;
    const r = x!.shape.length;
    const axes = range(normAxis((n.attrs.axis?.v as number) ?? -1, r), r);
    return [normalizeVjp(x!, mul(gy, scale!), axes, (n.attrs.epsilon?.v as number) ?? 1e-5), null, null];
  },
});

/** Resize's constant scales, one per axis. */
function resizeScales(scales: Value | null): Float32Array {
  const init = scales && scales.graph.initializers.get(scales.name);
  if (!init || init.kind !== 'inline') throw new Error('resize: scales must be a constant');
  return new Float32Array(init.bytes.slice().buffer);
}

defineOp('Resize', {
  infer: ([x, , scales], a) => {
    if ((a.mode?.v ?? 'nearest') !== 'nearest') throw new Error('resize: only nearest is supported');
    const s = resizeScales(scales);
    return [{ dtype: x!.dtype, shape: x!.shape.map((d, i) => Math.floor(d * s[i])) }];
  },
  // Each input value was copied into an s₀×s₁×… block: sum-pool the gradient over those blocks.
  vjp: ({ inputs: [x, , scales], attrs }, [gy], needs) => {
    const s = Array.from(resizeScales(scales));
    const asymmetricFloor =
      attrs.coordinate_transformation_mode?.v === 'asymmetric' && (attrs.nearest_mode?.v ?? 'round_prefer_floor') === 'floor';
    if (!asymmetricFloor || !s.every(Number.isInteger))
      throw new Error('Resize: gradient only for integer scales with asymmetric coordinates and floor rounding');
    if (needs[1] || needs[2]) throw new Error('Resize: gradient w.r.t. roi or scales is not supported');
    const blocks: number[] = [];
    const inner: number[] = [];
    x!.shape.forEach((d, i) => {
      blocks.push(d);
      if (s[i] > 1) inner.push(blocks.push(s[i]) - 1);
    });
    return [inner.length ? reduceSum(reshapeTo(gy, blocks), inner, false) : gy, null, null];
  },
});

export const matmul = (a: Value, b: Value): Value => a.graph.apply('MatMul', [a, b])[0];

/** a · bᵀ (+ c) for matrices a [M, K], b [N, K]. */
export const gemmTransB = (a: Value, b: Value, c?: Value): Value =>
  a.graph.apply('Gemm', c ? [a, b, c] : [a, b], { transB: attr.int(1) })[0];

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
