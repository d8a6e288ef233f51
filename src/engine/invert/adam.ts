// Adam exactly as torch.optim.Adam's single-tensor path (the CPU default) on a float32 parameter:
// L2 weight decay added to the gradient (not AdamW), bias correction, each tensor op rounded to float32
// with its Python-float scalar cast to float32, in torch's operation order.

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty: grad += weightDecay · param. */
  weightDecay: number;
}

export interface AdamState {
  /** Steps taken so far. */
  step: number;
  /** First and second moment estimates (exp_avg, exp_avg_sq). */
  m: Float32Array;
  v: Float32Array;
}

export const adamInit = (n: number): AdamState => ({ step: 0, m: new Float32Array(n), v: new Float32Array(n) });

const f = Math.fround;

/** One step: updates `param` and `state` in place. */
export function adamStep(param: Float32Array, grad: Float32Array, state: AdamState, o: AdamOptions): void {
  const n = param.length;
  if (grad.length !== n || state.m.length !== n || state.v.length !== n)
    throw new Error(`adam: parameter has ${n} values, gradient ${grad.length}, state ${state.m.length}/${state.v.length}`);
  const step = ++state.step;
  const bc1 = 1 - o.beta1 ** step;
  const bc2Sqrt = Math.sqrt(1 - o.beta2 ** step);
  const wd = f(o.weightDecay);
  const w1 = f(1 - o.beta1); // lerp weight
  const b2 = f(o.beta2);
  const c2 = f(1 - o.beta2);
  const eps = f(o.eps);
  const bc2 = f(bc2Sqrt);
  const stepSize = f(-(o.lr / bc1));
  const { m, v } = state;
  for (let i = 0; i < n; i++) {
    const g = o.weightDecay !== 0 ? f(grad[i] + f(wd * param[i])) : grad[i];
    // lerp(m, g, w) = m + w·(g − m) for |w| < 0.5, else g − (g − m)·(1 − w)
    m[i] = w1 < 0.5 ? f(m[i] + f(w1 * f(g - m[i]))) : f(g - f(f(g - m[i]) * f(1 - w1)));
    v[i] = f(f(v[i] * b2) + f(f(c2 * g) * g));
    const denom = f(f(f(Math.sqrt(v[i])) / bc2) + eps);
    param[i] = f(param[i] + f(f(stepSize * m[i]) / denom));
  }
}
