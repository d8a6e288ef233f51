// A pandas DataFrame from its pickle, pandas 1.5–2.x: DataFrame.__new__ + BUILD {_mgr: BlockManager},
// the manager either reduced as BlockManager(blocks, axes) (Cython __reduce__) or rebuilt from the older
// "0.14.1" state, blocks from _unpickle_block(values, placement, ndim), axes from _new_Index(cls, d).
import { NdArray } from './numpy';
import { PyGlobal, SET_STATE, type Buildable, type GlobalSpec } from './pickle';
import type { SliceValue, TorchDataFrame, TorchValue } from './types';
import { asArgs, asInt, describe, type PyArgs } from './values';

class Block {
  constructor(readonly values: NdArray, readonly placement: number[]) {}
}

/**
 * A pandas Index: stored values, or a range kept lazy — a RangeIndex costs no pickle bytes, so its labels are
 * only made when `values` is read (a 1e8-row frame with no columns must not allocate 1e8 labels on load).
 */
class PdIndex {
  readonly kind = 'index';
  private made?: readonly (string | number)[];
  constructor(readonly name: string | null, readonly length: number, readonly label: (i: number) => string | number) {}
  get values(): readonly (string | number)[] {
    return (this.made ??= Array.from({ length: this.length }, (_, i) => this.label(i)));
  }
}

class Manager implements Buildable {
  blocks: Block[] = [];
  axes: PdIndex[] = [];
  set(blocks: unknown, axes: unknown): this {
    if (!Array.isArray(blocks) || !blocks.every((b) => b instanceof Block)) throw new Error(`BlockManager blocks must be blocks, found ${describe(blocks)}`);
    if (!Array.isArray(axes) || axes.length !== 2 || !axes.every((a) => a instanceof PdIndex))
      throw new Error(`a DataFrame's BlockManager needs two axes, found ${describe(axes)}`);
    this.blocks = blocks;
    this.axes = axes;
    return this;
  }
  [SET_STATE](state: unknown): void {
    // Older pickles: (axes, values, items, {"0.14.1": {"axes": [...], "blocks": [{"values", "mgr_locs"}]}})
    const extra = Array.isArray(state) && state.length >= 4 && state[3] instanceof Map ? state[3].get('0.14.1') : undefined;
    if (!(extra instanceof Map)) throw new Error(`unsupported BlockManager state: ${describe(state)}`);
    const blocks = extra.get('blocks');
    if (!Array.isArray(blocks)) throw new Error('BlockManager state has no blocks');
    this.set(
      blocks.map((b: unknown) => {
        if (!(b instanceof Map)) throw new Error(`bad block state: ${describe(b)}`);
        return makeBlock(b.get('values'), b.get('mgr_locs'));
      }),
      extra.get('axes'),
    );
  }
}

function makeBlock(values: unknown, placement: unknown): Block {
  if (!(values instanceof NdArray)) throw new Error(`block values must be a numpy array, found ${describe(values)}`);
  let locs: number[];
  if (placement instanceof NdArray) {
    const v = placement.values();
    locs = Array.from(v as ArrayLike<number>, (x) => asInt(x, 'block placement'));
  } else if (placement !== null && typeof placement === 'object' && (placement as SliceValue).kind === 'slice') {
    const s = placement as SliceValue;
    const step = s.step ?? 1;
    if (s.start === null || s.stop === null || step <= 0) throw new Error('block placement slice must be bounded and increasing');
    const n = Math.max(0, Math.ceil((s.stop - s.start) / step));
    if (n > values.size) throw new Error(`block placement of ${n} items for ${values.size} values`);
    locs = Array.from({ length: n }, (_, i) => s.start! + i * step);
  } else throw new Error(`block placement must be a slice or an array, found ${describe(placement)}`);
  return new Block(values, locs);
}

class DataFrame implements Buildable, TorchDataFrame {
  readonly kind = 'dataframe';
  columns: string[] = [];
  index: PdIndex = new PdIndex(null, 0, () => 0);
  rows = 0;
  private where = new Map<string, { block: Block; at: number }>();

  [SET_STATE](state: unknown): void {
    const mgr = state instanceof Map ? state.get('_mgr') ?? state.get('_data') : undefined;
    if (!(mgr instanceof Manager)) throw new Error(`DataFrame state has no BlockManager (found ${describe(mgr)})`);
    const [items, index] = mgr.axes;
    if (!items) throw new Error('DataFrame BlockManager was never given its axes');
    // Block shapes are bounded by the pickle's bytes: check them before materializing any (range) index.
    this.rows = index.length;
    const ncols = items.length;
    const placed: { block: Block; col: number; at: number }[] = [];
    const seen = new Set<number>();
    for (const block of mgr.blocks) {
      const shape = block.values.shape;
      if (shape.length !== 2 || shape[0] !== block.placement.length || shape[1] !== this.rows)
        throw new Error(`block of shape (${shape.join(', ')}) does not hold ${block.placement.length} columns of ${this.rows} rows`);
      block.placement.forEach((col, at) => {
        if (col < 0 || col >= ncols || seen.has(col)) throw new Error(`block places a column at ${col} of ${ncols} twice or out of range`);
        seen.add(col);
        placed.push({ block, col, at });
      });
    }
    if (seen.size !== ncols) throw new Error(`blocks hold ${seen.size} of the DataFrame's ${ncols} columns`);
    this.columns = items.values.map(String);
    this.index = index;
    for (const { block, col, at } of placed) this.where.set(this.columns[col], { block, at });
  }

  column(name: string): Float64Array {
    const w = this.where.get(name);
    if (!w) throw new Error(`DataFrame has no column ${JSON.stringify(name)}`);
    const v = w.block.values.values();
    if (!(v instanceof Float64Array)) throw new Error(`DataFrame column ${JSON.stringify(name)} is not numeric (dtype ${w.block.values.dtype})`);
    return v.slice(w.at * this.rows, (w.at + 1) * this.rows);
  }
}

// Ranges cost no pickle bytes, so their length needs its own bound.
const MAX_RANGE = 1e8;

type IndexKind = 'values' | 'range';
const indexClasses = new Map<PyGlobal, IndexKind>();
function indexClass(name: string, kind: IndexKind): [string, PyGlobal] {
  const g = new PyGlobal({ name });
  indexClasses.set(g, kind);
  return [name, g];
}

function newIndex(args: PyArgs): PdIndex {
  const [cls, d] = asArgs(args, 2, 2, '_new_Index');
  const kind = cls instanceof PyGlobal ? indexClasses.get(cls) : undefined;
  if (!kind) throw new Error(`_new_Index of ${describe(cls)} is not supported`);
  if (!(d instanceof Map)) throw new Error(`_new_Index needs a dict, found ${describe(d)}`);
  const nameV = d.get('name') ?? null;
  const name = nameV === null ? null : String(nameV);
  if (kind === 'range') {
    const start = asInt(d.get('start') ?? 0, 'RangeIndex start');
    const stop = asInt(d.get('stop'), 'RangeIndex stop');
    const step = asInt(d.get('step') ?? 1, 'RangeIndex step');
    if (step === 0) throw new Error('RangeIndex step is 0');
    const n = Math.max(0, Math.ceil((stop - start) / step));
    if (n > MAX_RANGE) throw new Error(`RangeIndex of ${n} labels is implausibly large`);
    return new PdIndex(name, n, (i) => start + i * step);
  }
  const data = d.get('data');
  if (!(data instanceof NdArray) || data.shape.length !== 1) throw new Error(`Index data must be a 1-D numpy array, found ${describe(data)}`);
  const labels = Array.from(data.values() as ArrayLike<TorchValue>, (v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`Index label ${describe(v)} is not a string or number`);
    return v;
  });
  return new PdIndex(name, labels.length, (i) => labels[i]);
}

const specs: GlobalSpec[] = [
  { name: 'pandas.core.frame.DataFrame', construct: (args) => (asArgs(args, 0, 0, 'DataFrame'), new DataFrame()) },
  {
    name: 'pandas.core.internals.managers.BlockManager',
    call: (args) => new Manager().set(...(asArgs(args, 2, 2, 'BlockManager') as [unknown, unknown])),
    construct: (args) => (asArgs(args, 0, 0, 'BlockManager'), new Manager()),
  },
  {
    name: 'pandas._libs.internals._unpickle_block',
    call(args) {
      const [values, placement, ndim] = asArgs(args, 3, 3, '_unpickle_block');
      if (ndim !== 2) throw new Error(`only 2-D blocks are supported, found ndim ${describe(ndim)}`);
      return makeBlock(values, placement);
    },
  },
  { name: 'pandas.core.indexes.base._new_Index', call: newIndex },
];

/** The pandas globals a DataFrame of numbers/bools/strings needs, pandas 1.5–2.x. */
export function pandasGlobals(): Map<string, PyGlobal> {
  const m = new Map<string, PyGlobal>(specs.map((s) => [s.name, new PyGlobal(s)]));
  for (const [n, g] of [
    indexClass('pandas.core.indexes.base.Index', 'values'),
    indexClass('pandas.core.indexes.numeric.Int64Index', 'values'),
    indexClass('pandas.core.indexes.numeric.UInt64Index', 'values'),
    indexClass('pandas.core.indexes.numeric.Float64Index', 'values'),
    indexClass('pandas.core.indexes.numeric.NumericIndex', 'values'),
    indexClass('pandas.core.indexes.range.RangeIndex', 'range'),
  ])
    m.set(n, g);
  return m;
}

export function isPandasDataFrame(v: unknown): v is TorchDataFrame {
  return v instanceof DataFrame;
}
