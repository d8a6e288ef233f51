// onnxruntime-node only: a stride-1 ConvTranspose (what the Conv VJP emits for 3×3 and 1×1 convs) is the
// Conv of the same input with the weight's in/out axes swapped and its kernel flipped, padded k−1−p.
// onnxruntime's CPU ConvTranspose is a GEMM plus col2im, while Conv runs in its blocked NCHWc layout:
// the rewrite makes the gradient graph's convolutions as fast as the forward's. The weight transform
// (Transpose + Slice with step −1) folds into a constant when the session is created.
import { attr, type Graph, type Node, type Value } from '../graph/ir';

const ints = (n: Node, k: string, dflt: number[]) => (n.attrs[k] ? [...(n.attrs[k].v as number[])] : dflt);

/** Rewrites `graph` in place; returns the number of ConvTranspose nodes replaced. */
export function convTransposeAsConv(graph: Graph): number {
  let count = 0;
  const value = (like: Value, shape: readonly number[], prefix: string): Value => ({
    graph, name: graph.fresh(prefix), dtype: like.dtype, shape,
  });
  const i64 = (v: number[]) => graph.constant('int64', [v.length], BigInt64Array.from(v.map(BigInt)));
  const node = (op: string, inputs: Value[], outputs: Value[], attrs: Node['attrs'] = {}): Node => ({
    op, domain: '', name: graph.fresh(op), inputs, outputs, attrs,
  });
  const out: Node[] = [];
  for (const n of graph.nodes) {
    const [x, w, b] = n.inputs;
    const k = w?.shape.slice(2) ?? [];
    const one = (key: string) => ints(n, key, [1, 1]).every((s) => s === 1);
    if (n.op !== 'ConvTranspose' || n.domain || b || k.length !== 2 || !one('strides') || !one('dilations') ||
        ((n.attrs.group?.v as number | undefined) ?? 1) !== 1) {
      out.push(n);
      continue;
    }
    const pads = ints(n, 'pads', [0, 0, 0, 0]);
    const extra = ints(n, 'output_padding', [0, 0]);
    const convPads = [k[0] - 1 - pads[0], k[1] - 1 - pads[1], k[0] - 1 - pads[2] + extra[0], k[1] - 1 - pads[3] + extra[1]];
    if (convPads.some((p) => p < 0)) {
      out.push(n);
      continue;
    }
    const [cin, cout] = w!.shape;
    const swapped = value(w!, [cout, cin, ...k], 'wT');
    const flipped = value(w!, swapped.shape, 'wFlip');
    out.push(
      node('Transpose', [w!], [swapped], { perm: attr.ints([1, 0, 2, 3]) }),
      node('Slice', [swapped, i64([-1, -1]), i64([-k[0] - 1, -k[1] - 1]), i64([2, 3]), i64([-1, -1])], [flipped]),
      node('Conv', [x!, flipped], [n.outputs[0]], {
        kernel_shape: attr.ints(k), strides: attr.ints([1, 1]), pads: attr.ints(convPads),
        dilations: attr.ints([1, 1]), group: attr.int(1),
      }),
    );
    count++;
  }
  graph.nodes.splice(0, graph.nodes.length, ...out);
  return count;
}
