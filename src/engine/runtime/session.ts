// One engine session = one Graph exported to ONNX and loaded into onnxruntime (node or web). The engine
// never imports onnxruntime itself: callers pass the module they have (onnxruntime-node in Node,
// onnxruntime-web/webgpu in a worker), and both share onnxruntime-common's API.
import type { Graph } from '../graph/ir';
import { lowerComposites } from '../graph/lower';
import { pruneUnused } from '../graph/prune';
import { exportOnnx, materializeShard, type ShardPlan } from '../graph/onnx';
import type { HostTensor } from './tensor';
import { weightsToInputs, type WeightSpec } from './weight-inputs';

/** The subset of onnxruntime-common both runtimes implement. */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
}

/** Holds weights outside any one session (see weight-inputs.ts) and hands them to a run as tensors. */
export interface WeightBinder {
  /** One tensor per spec, in order. */
  bind(specs: readonly WeightSpec[]): Promise<OrtTensor[]>;
  /** Which sources' weights become inputs (default all); the rest stay initializers of each session. */
  binds?(source: string): boolean;
}

export interface SessionOptions {
  /** e.g. ['webgpu', 'wasm'] in the browser, ['cpu'] in Node. */
  executionProviders?: readonly string[];
  /** Extra onnxruntime session options (graphOptimizationLevel, logSeverityLevel, …). */
  ortOptions?: Record<string, unknown>;
  /** Called as each weight shard is assembled. */
  onShard?: (done: number, total: number) => void;
  /** Weights become inputs fed from here, one copy for every session, instead of per-session initializers. */
  weights?: WeightBinder;
}

export class EngineSession {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly graph: Graph,
    /** Weight inputs and where their tensors come from (empty: weights are initializers). */
    private readonly bound: readonly WeightSpec[],
    private readonly weights?: WeightBinder,
  ) {}

  static async create(ort: OrtModule, graph: Graph, opts: SessionOptions = {}): Promise<EngineSession> {
    lowerComposites(graph);
    pruneUnused(graph);
    const bound = opts.weights ? weightsToInputs(graph, opts.weights.binds?.bind(opts.weights)) : [];
    const { model, shards } = exportOnnx(graph);
    const externalData = await loadShards(shards, opts.onShard);
    const session = await ort.InferenceSession.create(model, {
      externalData,
      executionProviders: opts.executionProviders ?? ['cpu'],
      ...opts.ortOptions,
    });
    return new EngineSession(ort, session, graph, bound, opts.weights);
  }

  async run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, OrtTensor> = {};
    if (this.bound.length) (await this.weights!.bind(this.bound)).forEach((t, i) => (ortFeeds[this.bound[i].name] = t));
    for (const v of this.graph.inputs) {
      if (v.name in ortFeeds) continue;
      const t = feeds[v.name];
      if (!t) throw new Error(`${this.graph.name}: missing input ${v.name}`);
      if (t.dtype !== v.dtype || t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i]))
        throw new Error(`${this.graph.name}: input ${v.name} is ${t.dtype}[${t.shape}], expected ${v.dtype}[${v.shape}]`);
      ortFeeds[v.name] = new this.ort.Tensor(t.dtype, t.data, t.shape);
    }
    const out = await this.session.run(ortFeeds);
    const result: Record<string, HostTensor> = {};
    for (const { name, value } of this.graph.outputs) {
      const t = out[name];
      result[name] = { dtype: value.dtype, shape: [...t.dims], data: t.data as HostTensor['data'] };
    }
    return result;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

async function loadShards(shards: readonly ShardPlan[], onShard?: SessionOptions['onShard']) {
  const out: { path: string; data: Uint8Array }[] = [];
  for (const s of shards) {
    out.push({ path: s.path, data: await materializeShard(s) });
    onShard?.(out.length, shards.length);
  }
  return out;
}
