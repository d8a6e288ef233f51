// Weights → graph initializers, checked against the shapes the config implies. Names stay exactly as on
// the hub; the bytes are read from the file only when a session is created.
import type { DType } from '../graph/dtype';
import type { Graph, Value } from '../graph/ir';
import { cast } from '../graph/ops/index';

/** What a model needs from a weight file (io/safetensors' SafetensorsFile satisfies it). */
export interface TensorSource {
  readonly name: string;
  keys(): string[];
  info(key: string): { dtype: string; shape: readonly number[] };
  readFloat32(key: string): Promise<Float32Array>;
  readFloat16Bits(key: string): Promise<Uint16Array>;
}

export interface Precision {
  /** dtype arithmetic runs in. */
  compute: DType;
  /** dtype weights are stored in on the device; cast to `compute` in the graph when they differ. */
  storage: DType;
}

/** Safetensors dtypes a weight may have (read as float32 or half bits). */
const WEIGHT_DTYPES = ['F32', 'F16', 'BF16'];

export const FP32: Precision = { compute: 'float32', storage: 'float32' };
/** Half weights and half arithmetic (WebGPU with shader-f16). */
export const FP16: Precision = { compute: 'float16', storage: 'float16' };

export class Params {
  private readonly keys: Set<string>;

  constructor(
    readonly graph: Graph,
    private readonly src: TensorSource,
    readonly precision: Precision = FP32,
    /** Prefix added to every name, e.g. "text_model." for CLIP. */
    private readonly prefix = '',
  ) {
    this.keys = new Set(src.keys());
  }

  scoped(prefix: string): Params {
    return new Params(this.graph, this.src, this.precision, this.prefix + prefix);
  }

  has(name: string): boolean {
    return this.keys.has(this.prefix + name);
  }

  /** The weight `name`, which must have exactly `shape`, as a compute-dtype value. */
  get(name: string, shape: readonly number[]): Value {
    const full = this.prefix + name;
    if (!this.keys.has(full)) throw new Error(`missing tensor ${full} in ${this.src.name}`);
    const { shape: got, dtype } = this.src.info(full);
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i]))
      throw new Error(`tensor ${full} in ${this.src.name} has shape [${got}], the config implies [${shape}]`);
    if (!WEIGHT_DTYPES.includes(dtype))
      throw new Error(`tensor ${full} in ${this.src.name} is ${dtype}: weights must be ${WEIGHT_DTYPES.join(', ')}`);
    const { storage, compute } = this.precision;
    const existing = this.graph.initializers.get(full);
    const w = existing
      ? existing.value
      : this.graph.weight(
          full, storage, shape,
          async () => {
            const data = storage === 'float16' ? await this.src.readFloat16Bits(full) : await this.src.readFloat32(full);
            return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          },
          this.src.name,
        );
    return cast(w, compute);
  }
}
