// Elementwise ops (numpy broadcasting) and casts.
import type { DType } from '../dtype';
import { attr, type Value } from '../ir';
import { ONNX_DTYPE } from '../dtype';
import { broadcastShapes } from '../shape';
import { defineOp } from './registry';
import { lift } from './scalar';

for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow']) {
  defineOp(op, {
    infer: ([a, b]) => [{ dtype: a!.dtype, shape: broadcastShapes(a!.shape, b!.shape) }],
  });
}

for (const op of ['Neg', 'Sigmoid', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Erf', 'Cos', 'Sin', 'Tanh', 'Identity']) {
  defineOp(op, { infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }] });
}

const DTYPE_OF_CODE = Object.fromEntries(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k])) as Record<number, DType>;
defineOp('Cast', {
  infer: ([x], attrs) => [{ dtype: DTYPE_OF_CODE[attrs.to.v as number], shape: x!.shape }],
});

const bin = (op: string) => (a: Value, b: Value | number): Value => a.graph.apply(op, [a, lift(a, b)])[0];
const un = (op: string) => (x: Value): Value => x.graph.apply(op, [x])[0];

export const add = bin('Add');
export const sub = bin('Sub');
export const mul = bin('Mul');
export const div = bin('Div');
export const pow = bin('Pow');
export const neg = un('Neg');
export const sigmoid = un('Sigmoid');
export const exp = un('Exp');
export const log = un('Log');
export const sqrt = un('Sqrt');
export const reciprocal = un('Reciprocal');
export const erf = un('Erf');
export const cos = un('Cos');
export const sin = un('Sin');
export const tanh = un('Tanh');
export const identity = un('Identity');

/** `a - b` where `a` is a number. */
export const rsub = (a: number, b: Value): Value => b.graph.apply('Sub', [lift(b, a), b])[0];

export const cast = (x: Value, to: DType): Value =>
  x.dtype === to ? x : x.graph.apply('Cast', [x], { to: attr.int(ONNX_DTYPE[to]) })[0];
