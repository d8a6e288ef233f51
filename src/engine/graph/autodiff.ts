// Reverse-mode autodiff over the graph IR, micrograd style: walk the nodes between `wrt` and the outputs
// backwards, apply each op's VJP rule from the op table, and append the backward nodes to the same graph.
// Rules are built from ops that have rules, so a gradient graph can be differentiated again.
import { isFloat, numel } from './dtype';
import type { Node, Value } from './ir';
import { add } from './ops/elementwise';
import { zeros } from './ops/grad-util';
import { opDef } from './ops/registry';
import { tensorConst } from './ops/scalar';
import { sameShape } from './shape';

const describe = (v: Value) => `${v.name} ${v.dtype}[${v.shape}]`;

/**
 * ∂(Σᵢ ⟨cotangents[i], outputs[i]⟩)/∂w for each w in `wrt`, as new values of the same graph (zeros where
 * w does not reach the outputs). Only nodes on a path from a `wrt` to an output are differentiated, and
 * rules are told which inputs lie on such a path, so nothing is computed for weights.
 */
export function vjp(outputs: readonly Value[], cotangents: readonly Value[], wrt: readonly Value[]): Value[] {
  if (outputs.length !== cotangents.length) throw new Error(`vjp: ${outputs.length} outputs, ${cotangents.length} cotangents`);
  if (!outputs.length) throw new Error('vjp: no outputs');
  const graph = outputs[0].graph;
  for (const v of [...outputs, ...cotangents, ...wrt])
    if (v.graph !== graph) throw new Error(`vjp: ${v.name} belongs to another graph`);
  outputs.forEach((o, i) => {
    const c = cotangents[i];
    if (c.dtype !== o.dtype || !sameShape(c.shape, o.shape))
      throw new Error(`vjp: cotangent ${describe(c)} does not match output ${describe(o)}`);
  });
  for (const w of wrt) if (!isFloat(w.dtype)) throw new Error(`vjp: cannot differentiate w.r.t. ${describe(w)}`);

  // Forward: values that depend on a wrt through floating-point values (integers carry no gradient).
  const nodes = graph.nodes.slice();
  const active = new Set<Value>(wrt);
  for (const n of nodes)
    if (n.inputs.some((i) => i && active.has(i))) for (const o of n.outputs) if (isFloat(o.dtype)) active.add(o);

  // Backward: of those, the ones an output depends on; `path` lists their nodes in reverse order.
  const needed = new Set<Value>(outputs.filter((o) => active.has(o)));
  const path: Node[] = [];
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    if (!n.outputs.some((o) => needed.has(o))) continue;
    path.push(n);
    for (const i of n.inputs) if (i && active.has(i)) needed.add(i);
  }

  const grads = new Map<Value, Value>();
  const accumulate = (v: Value, g: Value) => {
    const prev = grads.get(v);
    grads.set(v, prev ? add(prev, g) : g);
  };
  outputs.forEach((o, i) => needed.has(o) && accumulate(o, cotangents[i]));

  for (const n of path) {
    if (!n.outputs.some((o) => grads.has(o))) continue;
    const def = opDef(n.op, n.domain);
    if (!def.vjp) throw new Error(`vjp: no VJP rule for op ${n.op} (node ${n.name})${def.noVjp ? `: ${def.noVjp}` : ''}`);
    const gy = n.outputs.map((o) => grads.get(o) ?? zeros(graph, o.dtype, o.shape));
    const needs = n.inputs.map((i) => i !== null && needed.has(i));
    const gx = def.vjp(n, gy, needs);
    n.inputs.forEach((x, i) => {
      const g = gx[i];
      if (!x || !needs[i] || !g) return;
      if (g.dtype !== x.dtype || !sameShape(g.shape, x.shape))
        throw new Error(`vjp: ${n.op} rule gave ${describe(g)} for input ${describe(x)} (node ${n.name})`);
      accumulate(x, g);
    });
  }
  return wrt.map((w) => grads.get(w) ?? zeros(graph, w.dtype, w.shape));
}

/** Gradients of a one-element `loss` (any shape with a single value) w.r.t. each of `wrt`. */
export function grad(loss: Value, wrt: readonly Value[]): Value[] {
  if (numel(loss.shape) !== 1) throw new Error(`grad: loss ${describe(loss)} must hold one value`);
  return vjp([loss], [tensorConst(loss.graph, loss.dtype, loss.shape, [1])], wrt);
}
