// Graph → ONNX ModelProto bytes. Weights go to external data shards (so the full-size UNet never needs a
// >2 GB protobuf and each shard stays under one browser ArrayBuffer's limit); small constants stay inline.
import { DTYPE_BYTES, ONNX_DTYPE } from './dtype';
import type { Attr, Graph, Value, WeightLoader } from './ir';
import { ProtoWriter } from './protobuf';

export const OPSET = 17;
const IR_VERSION = 8;
const ALIGN = 64;

export interface ShardPlan {
  /** The `location` written in the model; pass the shard bytes to the runtime under this path. */
  readonly path: string;
  readonly byteLength: number;
  readonly tensors: readonly { name: string; offset: number; byteLength: number; load: WeightLoader }[];
}

export interface OnnxExport {
  readonly model: Uint8Array;
  readonly shards: readonly ShardPlan[];
}

export interface ExportOptions {
  /** Prefix for external data file names; distinct per model so sessions can share a cache. */
  shardPrefix?: string;
  /** Upper bound on one shard's size in bytes. */
  maxShardBytes?: number;
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function writeAttr(w: ProtoWriter, name: string, a: Attr) {
  w.string(1, name);
  switch (a.type) {
    case 'float':
      w.float(2, a.v);
      break;
    case 'int':
      w.int(3, a.v);
      break;
    case 'string':
      w.string(4, a.v);
      break;
    case 'floats':
      for (const f of a.v) w.float(7, f);
      break;
    case 'ints':
      for (const i of a.v) w.int(8, i);
      break;
  }
  w.int(20, ATTR_TYPE[a.type]);
}

function writeValueInfo(w: ProtoWriter, name: string, v: Value) {
  w.string(1, name);
  w.message(2, (t) =>
    t.message(1, (tt) => {
      tt.int(1, ONNX_DTYPE[v.dtype]);
      tt.message(2, (s) => {
        for (const d of v.shape) s.message(1, (dim) => dim.int(1, d));
      });
    }),
  );
}

function planShards(graph: Graph, prefix: string, maxBytes: number): ShardPlan[] {
  const shards: { path: string; byteLength: number; tensors: ShardPlan['tensors'][number][] }[] = [];
  for (const init of graph.initializers.values()) {
    if (init.kind !== 'external') continue;
    const v = init.value;
    const bytes = v.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[v.dtype];
    let cur = shards[shards.length - 1];
    const offset = cur ? Math.ceil(cur.byteLength / ALIGN) * ALIGN : 0;
    if (!cur || (offset + bytes > maxBytes && cur.tensors.length > 0)) {
      cur = { path: `${prefix}${shards.length}.bin`, byteLength: 0, tensors: [] };
      shards.push(cur);
    }
    const at = Math.ceil(cur.byteLength / ALIGN) * ALIGN;
    cur.tensors.push({ name: v.name, offset: at, byteLength: bytes, load: init.load });
    cur.byteLength = at + bytes;
  }
  return shards;
}

export function exportOnnx(graph: Graph, opts: ExportOptions = {}): OnnxExport {
  const shards = planShards(graph, opts.shardPrefix ?? `${graph.name}.weights.`, opts.maxShardBytes ?? 512 * 2 ** 20);
  const where = new Map<string, { path: string; offset: number; byteLength: number }>();
  for (const s of shards) for (const t of s.tensors) where.set(t.name, { path: s.path, ...t });
  const domains = new Set(graph.nodes.map((n) => n.domain).filter((d) => d));

  const m = new ProtoWriter();
  m.int(1, IR_VERSION);
  m.string(2, 'weights2weights-web');
  m.message(7, (g) => {
    for (const n of graph.nodes) {
      g.message(1, (w) => {
        for (const i of n.inputs) w.string(1, i ? i.name : '');
        for (const o of n.outputs) w.string(2, o.name);
        w.string(3, n.name);
        w.string(4, n.op);
        for (const [k, a] of Object.entries(n.attrs)) w.message(5, (aw) => writeAttr(aw, k, a));
        if (n.domain) w.string(7, n.domain);
      });
    }
    g.string(2, graph.name);
    for (const init of graph.initializers.values()) {
      const v = init.value;
      g.message(5, (t) => {
        for (const d of v.shape) t.int(1, d);
        t.int(2, ONNX_DTYPE[v.dtype]);
        t.string(8, v.name);
        if (init.kind === 'inline') {
          t.bytes(9, init.bytes);
        } else {
          const loc = where.get(v.name)!;
          const entry = (k: string, val: string) => t.message(13, (e) => e.string(1, k).string(2, val));
          entry('location', loc.path);
          entry('offset', String(loc.offset));
          entry('length', String(loc.byteLength));
          t.int(14, 1);
        }
      });
    }
    for (const v of graph.inputs) g.message(11, (w) => writeValueInfo(w, v.name, v));
    for (const o of graph.outputs) g.message(12, (w) => writeValueInfo(w, o.name, o.value));
  });
  m.message(8, (o) => o.string(1, '').int(2, OPSET));
  for (const d of domains) m.message(8, (o) => o.string(1, d).int(2, 1));
  return { model: m.finish(), shards };
}

/** Loads one shard's tensors into a single buffer, one tensor at a time. */
export async function materializeShard(shard: ShardPlan): Promise<Uint8Array> {
  const out = new Uint8Array(shard.byteLength);
  for (const t of shard.tensors) {
    const bytes = await t.load();
    if (bytes.byteLength !== t.byteLength)
      throw new Error(`weight ${t.name}: got ${bytes.byteLength} bytes, expected ${t.byteLength}`);
    out.set(bytes, t.offset);
  }
  return out;
}
