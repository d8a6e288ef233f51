// Elementwise ops (numpy broadcasting) and casts, each with its VJP rule.
import type { DType } from '../dtype';
import { attr, type Value } from '../ir';
import { ONNX_DTYPE } from '../dtype';
import { broadcastShapes } from '../shape';
import { unbroadcast } from './grad-util';
import { defineOp } from './registry';
import { lift } from './scalar';

/** Input gradients of a binary op as thunks, so an operand nobody differentiates costs nothing. */
type BinaryVjp = (gy: Value, a: Value, b: Value, y: Value) => [() => Value, () => Value];

const binary: Record<string, BinaryVjp> = {
  Add: (gy) => [() => gy, () => gy],
  Sub: (gy) => [() => gy, () => neg(gy)],
  Mul: (gy, a, b) => [() => mul(gy, b), () => mul(gy, a)],
  Div: (gy, _a, b, y) => [() => div(gy, b), () => neg(div(mul(gy, y), b))],
  Pow: (gy, a, b) => [
    () => mul(gy, mul(b, pow(a, sub(b, 1)))),
    () => {
      throw new Error('Pow: gradient w.r.t. the exponent is not supported');
    },
  ],
};

for (const [op, rule] of Object.entries(binary)) {
  defineOp(op, {
    infer: ([a, b]) => [{ dtype: a!.dtype, shape: broadcastShapes(a!.shape, b!.shape) }],
    vjp: ({ inputs: [a, b], outputs: [y] }, [gy], needs) => {
      const [da, db] = rule(gy, a!, b!, y);
      return [needs[0] ? unbroadcast(da(), a!.shape) : null, needs[1] ? unbroadcast(db(), b!.shape) : null];
    },
  });
}

/** d/dx of a unary op given x and its output y. */
const unary: Record<string, (gy: Value, x: Value, y: Value) => Value> = {
  Neg: (gy) => neg(gy),
  Sigmoid: (gy, _x, y) => mul(gy, mul(y, rsub(1, y))),
  Exp: (gy, _x, y) => mul(gy, y),
  Log: (gy, x) => div(gy, x),
  Sqrt: (gy, _x, y) => div(mul(gy, 0.5), y),
  Reciprocal: (gy, _x, y) => neg(mul(gy, mul(y, y))),
  Erf: (gy, x) => mul(gy, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))),
  Cos: (gy, x) => neg(mul(gy, sin(x))),
  Sin: (gy, x) => mul(gy, cos(x)),
  Tanh: (gy, _x, y) => mul(gy, rsub(1, mul(y, y))),
  Identity: (gy) => gy,
};

for (const [op, rule] of Object.entries(unary)) {
  defineOp(op, {
    infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
    vjp: ({ inputs: [x], outputs: [y] }, [gy]) => [rule(gy, x!, y)],
  });
}

const DTYPE_OF_CODE = Object.fromEntries(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k])) as Record<number, DType>;
defineOp('Cast', {
  infer: ([x], attrs) => [{ dtype: DTYPE_OF_CODE[attrs.to.v as number], shape: x!.shape }],
  // Autodiff only asks when both sides are floating point: the gradient goes back to the input's precision.
  vjp: ({ inputs: [x] }, [gy]) => [cast(gy, x!.dtype)],
});

defineOp('Equal', {
  infer: ([a, b]) => [{ dtype: 'bool', shape: broadcastShapes(a!.shape, b!.shape) }],
  noVjp: 'boolean output',
});

const bin = (op: string) => (a: Value, b: Value | number): Value => a.graph.apply(op, [a, lift(a, b)])[0];
const un = (op: string) => (x: Value): Value => x.graph.apply(op, [x])[0];

export const add = bin('Add');
export const sub = bin('Sub');
export const mul = bin('Mul');
export const div = bin('Div');
export const pow = bin('Pow');
export const equal = bin('Equal');
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
