// One table of ops: shape inference and the VJP rule live together, one op in one place.
import { Graph, type InferFn, type Node, type Value } from '../ir';

/**
 * Given the node and the gradients of its outputs (autodiff fills zeros for outputs off the path), returns
 * the gradient of each input: null where `needs[i]` is false or the gradient is zero. Rules emit nodes into
 * the node's graph and are built from ops that have rules, so gradients can be differentiated again.
 */
export type VjpRule = (node: Node, gy: readonly Value[], needs: readonly boolean[]) => (Value | null)[];

export interface OpDef {
  infer: InferFn;
  vjp?: VjpRule;
  /** Why the op has no VJP rule (e.g. boolean output); autodiff reports it when a gradient would need one. */
  noVjp?: string;
  /**
   * Composite ops (not ONNX ops): emits the node's outputs from standard ops, appended to its graph.
   * graph/lower.ts expands them before export unless a runtime maps them to a kernel of its own.
   */
  lower?: (node: Node) => Value[];
}

const table = new Map<string, OpDef>();
const key = (op: string, domain: string) => (domain ? `${domain}::${op}` : op);

export function defineOp(op: string, def: OpDef, domain = ''): void {
  if (table.has(key(op, domain))) throw new Error(`op ${op} defined twice`);
  table.set(key(op, domain), def);
}

export function opDef(op: string, domain = ''): OpDef {
  const d = table.get(key(op, domain));
  if (!d) throw new Error(`unknown op ${domain ? domain + '::' : ''}${op}`);
  return d;
}

/** The op's lowering, if it is a composite; undefined for standard ops and for nodes runtimes inserted. */
export const loweringOf = (op: string, domain = ''): OpDef['lower'] => table.get(key(op, domain))?.lower;

export const definedOps = (): string[] => [...table.keys()];

export const createGraph = (name: string): Graph => new Graph(name, (op, domain) => opDef(op, domain).infer);
