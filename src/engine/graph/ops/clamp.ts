// Clip (opset 11+: bounds as inputs), for clamps such as the VAE posterior's log-variance range.
import type { Value } from '../ir';
import { cast, equal, mul } from './elementwise';
import { defineOp } from './registry';
import { scalar } from './scalar';

defineOp('Clip', {
  infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }],
  // Passes where the clamp left x unchanged (bounds included, as torch.clamp's backward).
  vjp: ({ inputs: [x], outputs: [y] }, [gy], needs) => {
    if (needs[1] || needs[2]) throw new Error('Clip: gradient w.r.t. the bounds is not supported');
    return [mul(gy, cast(equal(y, x!), gy.dtype)), null, null];
  },
});

/** min(max(x, lo), hi) elementwise, bounds in x's dtype. */
export const clamp = (x: Value, lo: number, hi: number): Value =>
  x.graph.apply('Clip', [x, scalar(x.graph, lo, x.dtype), scalar(x.graph, hi, x.dtype)])[0];
