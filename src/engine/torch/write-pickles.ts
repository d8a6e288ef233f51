// torch.save of the two non-tensor files of a w2w space, byte for byte as PyTorch and pandas 2.x write them
// (test/torch/write-pickles.test.ts rewrites the fixture's own files identically): weight_dimensions.pt, an
// OrderedDict key → [Size([numel]), Size(shape)], and identity_df.pt, a pandas DataFrame of one numeric
// block with string labels on both axes — the layout pandas 1.5–2.x pickles (the reader in pandas.ts).
import { Pickler, torchZip, type SaveOptions } from './write';

const utf8 = new TextEncoder();

/** A pickle with no tensor storages: data.pkl and version, as torch.save lays them out. */
function savePickle(pickle: Uint8Array, archive: string): Uint8Array {
  return torchZip(archive, [
    ['data.pkl', pickle],
    ['version', utf8.encode('3\n')],
  ]);
}

export interface WeightDimension {
  readonly key: string;
  readonly shape: readonly number[];
}

/** weight_dimensions.pt: the flat vector's tensors in order, each key → [Size([numel]), Size(shape)]. */
export function saveWeightDimensions(dims: readonly WeightDimension[], opts: SaveOptions = {}): Uint8Array {
  const p = new Pickler();
  const size = (values: readonly number[]) => {
    p.global('torch', 'Size');
    p.tuple(1, () => p.ints(values)).op(0x52).put(); // Size((…,)) by REDUCE
  };
  p.op(0x80).op(2);
  p.global('collections', 'OrderedDict').tuple(0, () => {}).op(0x52).put();
  p.items(dims, ({ key, shape }) => {
    p.str(key);
    p.list([[shape.reduce((a, b) => a * b, 1)], shape], size);
  });
  p.op(0x2e);
  return savePickle(p.bytes(), opts.archiveName ?? 'weight_dimensions');
}

export interface DataFrameToWrite {
  /** Column names (one numeric block holds them all, in this order). */
  readonly columns: readonly string[];
  /** Row labels and the index's name (`file` in the w2w space). */
  readonly index: { readonly name: string | null; readonly labels: readonly string[] };
  /** Row-major values, a row per label: row r's columns at [r·cols, (r + 1)·cols). */
  readonly values: Float64Array;
  /** int64 (labels that are all integers, as the official file has) or float64. */
  readonly dtype: 'int64' | 'float64';
}

/** Bytes as Python 2-compatible pickles carry them: a latin-1 string, each byte one code point. */
function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** identity_df.pt: a DataFrame pickle that pandas 1.5–2.x reads (numpy.core paths, which numpy 2 still maps). */
export function saveDataFrame(df: DataFrameToWrite, opts: SaveOptions = {}): Uint8Array {
  const rows = df.index.labels.length;
  const cols = df.columns.length;
  if (df.values.length !== rows * cols) throw new Error(`DataFrame values hold ${df.values.length} numbers, ${cols} columns × ${rows} rows need ${rows * cols}`);
  if (!rows) throw new Error('a DataFrame of no rows is not written');
  const p = new Pickler();
  // b'b' and 'latin1' are single objects in numpy and pickle, so they recur as memo fetches.
  const codecsBytes = (text: string, key?: string) => {
    const write = () => {
      p.global('_codecs', 'encode');
      p.tuple(2, () => {
        p.str(text);
        p.sharedStr('latin1');
      });
      p.op(0x52);
    };
    if (key) p.shared(key, write);
    else write(), p.put();
  };
  const dtype = (name: string, order: string, flags: number) => {
    const fresh = p.shared(`dtype:${name}`, () => {
      p.global('numpy', 'dtype');
      p.tuple(3, () => p.str(name).bool(false).bool(true)).op(0x52);
    });
    if (fresh) p.tuple(8, () => p.int(3).str(order).none().none().none().int(-1).int(-1).int(flags)).op(0x62); // BUILD
  };
  // numpy's ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b') then BUILD (1, shape, dtype, fortran, data).
  const ndarray = (shape: readonly number[], fortran: boolean, dt: () => void, data: () => void) => {
    p.global('numpy.core.multiarray', '_reconstruct');
    p.tuple(3, () => {
      p.global('numpy', 'ndarray');
      p.ints([0]);
      codecsBytes('b', 'bytes:b');
    }).op(0x52).put();
    p.tuple(5, () => {
      p.int(1).ints(shape);
      dt();
      p.bool(fortran);
      data();
    }).op(0x62);
  };
  const index = (labels: readonly string[], name: string | null) => {
    p.global('pandas.core.indexes.base', '_new_Index');
    p.tuple(2, () => {
      p.global('pandas.core.indexes.base', 'Index');
      p.op(0x7d).put(); // EMPTY_DICT
      p.items([0, 1], (i) => {
        if (i === 0) {
          p.sharedStr('data');
          ndarray([labels.length], false, () => dtype('O8', '|', 63), () => p.list(labels, (s) => p.str(s)));
        } else {
          p.sharedStr('name');
          if (name === null) p.none();
          else p.str(name);
        }
      });
    }).op(0x52).put();
  };

  p.op(0x80).op(2);
  p.global('pandas.core.frame', 'DataFrame').tuple(0, () => {}).op(0x81).put(); // NEWOBJ
  p.op(0x7d).put();
  const state: [string, () => void][] = [
    ['_mgr', () => {
      p.global('pandas.core.internals.managers', 'BlockManager');
      p.tuple(2, () => {
        p.tuple(cols ? 1 : 0, () => {
          p.global('pandas._libs.internals', '_unpickle_block');
          p.tuple(3, () => {
            const bytes = df.dtype === 'int64' ? BigInt64Array.from(df.values, (x) => BigInt(x)) : df.values;
            // The block is (cols, rows) in Fortran order: its bytes are the frame's rows, as pandas keeps a 2-D array.
            ndarray([cols, rows], true, () => dtype(df.dtype === 'int64' ? 'i8' : 'f8', '<', 0), () =>
              codecsBytes(latin1(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))));
            p.global('__builtin__', 'slice'); // protocol 2 names builtins so
            p.ints([0, cols, 1]).op(0x52).put();
            p.int(2);
          }).op(0x52).put();
        });
        p.list([0, 1], (i) => (i === 0 ? index(df.columns, null) : index(df.index.labels, df.index.name)));
      }).op(0x52).put();
    }],
    ['_typ', () => p.str('dataframe')],
    ['_metadata', () => p.op(0x5d).put()],
    ['attrs', () => p.op(0x7d).put()],
    ['_flags', () => p.op(0x7d).put().items([0], () => p.str('allows_duplicate_labels').bool(true))],
  ];
  p.items(state, ([key, value]) => {
    p.str(key);
    value();
  });
  p.op(0x62).op(0x2e); // BUILD, STOP
  return savePickle(p.bytes(), opts.archiveName ?? 'identity_df');
}
