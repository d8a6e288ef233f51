// The graph IR: values with static shapes, nodes in topological order (the builder appends them as it
// goes), initializers either inline (small constants) or external (weights loaded lazily at session time).
import { type DType, numel } from './dtype';

export type Attr =
  | { type: 'int'; v: number }
  | { type: 'float'; v: number }
  | { type: 'ints'; v: readonly number[] }
  | { type: 'floats'; v: readonly number[] }
  | { type: 'string'; v: string };

export type Attrs = Record<string, Attr>;

export const attr = {
  int: (v: number): Attr => ({ type: 'int', v }),
  float: (v: number): Attr => ({ type: 'float', v }),
  ints: (v: readonly number[]): Attr => ({ type: 'ints', v }),
  floats: (v: readonly number[]): Attr => ({ type: 'floats', v }),
  string: (v: string): Attr => ({ type: 'string', v }),
};

export interface Value {
  readonly graph: Graph;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Set for values computed by a node; undefined for inputs and initializers. */
  readonly producer?: Node;
}

export interface Node {
  readonly op: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attrs: Attrs;
}

export type TypedData = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

/** Weights: bytes in the initializer's dtype, produced on demand so a model never sits in memory twice. */
export type WeightLoader = () => Promise<Uint8Array>;

export type Initializer =
  | { readonly value: Value; readonly kind: 'inline'; readonly bytes: Uint8Array }
  | { readonly value: Value; readonly kind: 'external'; readonly load: WeightLoader; readonly source?: string };

export interface OutputType {
  dtype: DType;
  shape: readonly number[];
}

/** Shape/type inference of one op; registered by the op files (see ops/registry.ts). */
export type InferFn = (inputs: readonly (Value | null)[], attrs: Attrs) => OutputType[];

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: { value: Value; name: string }[] = [];
  readonly initializers = new Map<string, Initializer>();
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, Value>();
  private counter = 0;

  constructor(
    readonly name: string,
    private readonly infer: (op: string, domain: string) => InferFn,
  ) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: duplicate value name ${name}`);
    this.names.add(name);
    return name;
  }

  /** A fresh unique name with a readable prefix. */
  fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    return n;
  }

  input(name: string, dtype: DType, shape: readonly number[]): Value {
    const v: Value = { graph: this, name: this.claim(name), dtype, shape: [...shape] };
    this.inputs.push(v);
    return v;
  }

  output(value: Value, name: string): Value {
    if (value.graph !== this) throw new Error('output from another graph');
    // ONNX outputs are value names: give the value its public name through an Identity when needed.
    const named = value.name === name ? value : this.apply('Identity', [value], {}, name)[0];
    this.outputs.push({ value: named, name });
    return named;
  }

  /**
   * A weight stored as external data, loaded only when a session is created. `source` names the file it
   * comes from: weights shared between sessions are keyed by (source, name).
   */
  weight(name: string, dtype: DType, shape: readonly number[], load: WeightLoader, source?: string): Value {
    const v: Value = { graph: this, name: this.claim(name), dtype, shape: [...shape] };
    this.initializers.set(v.name, { value: v, kind: 'external', load, source });
    return v;
  }

  /** A small constant embedded in the model; identical constants are shared. */
  constant(dtype: DType, shape: readonly number[], data: TypedData): Value {
    if (data.length !== numel(shape)) throw new Error(`constant: ${data.length} values for shape [${shape}]`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    const key = data.length <= 64 ? `${dtype}|${shape}|${bytes.join(',')}` : '';
    const cached = key && this.constCache.get(key);
    if (cached) return cached;
    const v: Value = { graph: this, name: this.claim(this.fresh('const')), dtype, shape: [...shape] };
    this.initializers.set(v.name, { value: v, kind: 'inline', bytes });
    if (key) this.constCache.set(key, v);
    return v;
  }

  /** Appends a node; output types come from the op's inference rule. */
  apply(op: string, inputs: readonly (Value | null)[], attrs: Attrs = {}, outName?: string, domain = ''): Value[] {
    for (const i of inputs) if (i && i.graph !== this) throw new Error(`${op}: input ${i.name} from another graph`);
    const types = this.infer(op, domain)(inputs, attrs);
    const name = this.fresh(op);
    const outputs: Value[] = [];
    const node: Node = { op, domain, name, inputs: [...inputs], outputs, attrs };
    types.forEach((t, k) => {
      const vname = outName && k === 0 ? this.claim(outName) : this.claim(`${name}_out${k}`);
      outputs.push({ graph: this, name: vname, dtype: t.dtype, shape: t.shape, producer: node });
    });
    this.nodes.push(node);
    return outputs;
  }
}
