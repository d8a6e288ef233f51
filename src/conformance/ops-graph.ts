// A small graph touching every op family the models use, with its weights as external data. Shared by
// the conformance page (weights and expected outputs fetched from the hub layout) and the e2e test,
// which computes the expected outputs with onnxruntime-node and serves them as OPS_REPO's reference.
import {
  add,
  concat,
  conv,
  createGraph,
  erf,
  gather,
  instanceNorm,
  layerNorm,
  matmul,
  mul,
  numel,
  reduceSum,
  reshape,
  sigmoid,
  slice,
  softmax,
  tensorConst,
  transpose,
  upsampleNearest,
  type Graph,
} from '../engine/graph/index';

/** The hub repo whose reference.safetensors holds this graph's weights, input and expected outputs. */
export const OPS_REPO = 'e2e/ops';
export const OPS_INPUT: { readonly name: string; readonly shape: readonly number[] } = { name: 'x', shape: [1, 4, 8, 8] };
export const OPS_OUTPUTS = ['conv_s2', 'rows', 'pooled'] as const;

/** Weight name → shape, in the order the graph declares them. */
export const OPS_WEIGHTS: Readonly<Record<string, readonly number[]>> = {
  'conv1.weight': [8, 4, 3, 3],
  'conv1.bias': [8],
  'norm1.weight': [8],
  'norm1.bias': [8],
  'down.weight': [8, 8, 3, 3],
  'down.bias': [8],
  'ln.weight': [16],
  'ln.bias': [16],
  'to_q.weight': [16, 16],
  'to_k.weight': [16, 16],
};

/** Reference-file keys: weights, the input and each output. */
export const opsKey = {
  weight: (name: string) => `ops.weight.${name}`,
  input: `ops.input.${OPS_INPUT.name}`,
  output: (name: string) => `ops.${name}`,
};

/** Deterministic values with a spread like initialized weights (|v| ≤ scale). */
export function opsValues(n: number, seed: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => scale * Math.sin(1.7 * i + 0.3 * seed) * Math.cos(0.11 * i * seed));
}

export function buildOpsGraph(load: (name: string) => Promise<Float32Array>): Graph {
  const g = createGraph('conformance_ops');
  const w = (name: string) =>
    g.weight(name, 'float32', OPS_WEIGHTS[name], async () => {
      const d = await load(name);
      return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    });
  const x = g.input(OPS_INPUT.name, 'float32', OPS_INPUT.shape);

  // Conv block as in a resnet: conv (pads 1), instance norm, SiLU.
  let h = conv(x, w('conv1.weight'), w('conv1.bias'), { pads: [1, 1, 1, 1] });
  h = instanceNorm(h, w('norm1.weight'), w('norm1.bias'), 1e-5);
  h = mul(h, sigmoid(h));
  // Downsampler as diffusers pads it: stride 2, padding only at the bottom/right.
  const down = conv(h, w('down.weight'), w('down.bias'), { strides: [2, 2], pads: [0, 0, 1, 1] });
  const up = upsampleNearest(down, 2);
  const c = concat([h, up], 1); // [1, 16, 8, 8]

  // Attention over the 64 positions: layer norm, q/k projections, scaled softmax, exact GELU.
  let t = transpose(reshape(c, [1, 16, 64]), [0, 2, 1]); // [1, 64, 16]
  t = layerNorm(t, w('ln.weight'), w('ln.bias'), 1e-5);
  const q = matmul(t, w('to_q.weight'));
  const k = matmul(t, w('to_k.weight'));
  const p = softmax(mul(matmul(q, transpose(k, [0, 2, 1])), 0.25), -1);
  const a = matmul(p, t);
  const gelu = mul(mul(a, 0.5), add(erf(mul(a, Math.SQRT1_2)), 1));

  g.output(down, 'conv_s2');
  g.output(gather(gelu, tensorConst(g, 'int64', [5], [0, 7, 20, 33, 63]), 1), 'rows');
  g.output(reduceSum(slice(gelu, [0], [8], [2]), [1]), 'pooled');
  return g;
}

/** The deterministic weights and input the e2e test writes into OPS_REPO's reference. */
export function opsFixtureInputs(): { weights: Record<string, Float32Array>; input: Float32Array } {
  const weights: Record<string, Float32Array> = {};
  Object.entries(OPS_WEIGHTS).forEach(([name, shape], i) => {
    const n = numel(shape);
    const fanIn = shape.length > 1 ? n / shape[0] : 1;
    // Norm scales around 1, everything else ~ 1/sqrt(fan_in) as a trained net would have.
    weights[name] = name.endsWith('norm1.weight') || name === 'ln.weight'
      ? opsValues(n, i + 1, 0.5).map((v) => 1 + v)
      : opsValues(n, i + 1, 1 / Math.sqrt(fanIn));
  });
  const input = opsValues(numel(OPS_INPUT.shape), 99, 1);
  return { weights, input };
}
