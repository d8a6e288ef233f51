// The numpy pieces a pandas pickle is made of: ndarray reconstruction (_reconstruct + BUILD, or protocol
// 5's _frombuffer), dtype and scalar. Only plain numeric, bool and object dtypes; no structured arrays.
import { PyGlobal, SET_STATE, type Buildable, type GlobalSpec } from './pickle';
import type { NdArrayValue, TorchValue } from './types';
import { asArgs, asIntList, asString, describe, latin1, noKwargs, product, type PyArgs } from './values';

const KINDS: Record<string, { bytes: number; get: (dv: DataView, at: number, le: boolean) => number }> = {
  b1: { bytes: 1, get: (dv, at) => (dv.getUint8(at) ? 1 : 0) },
  i1: { bytes: 1, get: (dv, at) => dv.getInt8(at) },
  u1: { bytes: 1, get: (dv, at) => dv.getUint8(at) },
  i2: { bytes: 2, get: (dv, at, le) => dv.getInt16(at, le) },
  u2: { bytes: 2, get: (dv, at, le) => dv.getUint16(at, le) },
  i4: { bytes: 4, get: (dv, at, le) => dv.getInt32(at, le) },
  u4: { bytes: 4, get: (dv, at, le) => dv.getUint32(at, le) },
  i8: { bytes: 8, get: (dv, at, le) => Number(dv.getBigInt64(at, le)) },
  u8: { bytes: 8, get: (dv, at, le) => Number(dv.getBigUint64(at, le)) },
  f2: { bytes: 2, get: (dv, at, le) => halfToNumber(dv.getUint16(at, le)) },
  f4: { bytes: 4, get: (dv, at, le) => dv.getFloat32(at, le) },
  f8: { bytes: 8, get: (dv, at, le) => dv.getFloat64(at, le) },
};

function halfToNumber(h: number): number {
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
  return h & 0x8000 ? -v : v;
}

/** numpy.dtype: `code` like 'f8', 'i8', 'b1' or 'O8'. */
export class NpDType implements Buildable {
  readonly kind = 'dtype';
  littleEndian = true;
  constructor(readonly code: string) {
    if (code !== 'O8' && code !== 'O4' && !KINDS[code]) throw new Error(`numpy dtype ${JSON.stringify(code)} is not supported (numeric, bool and object only)`);
  }
  get isObject(): boolean {
    return this.code[0] === 'O';
  }
  [SET_STATE](state: unknown): void {
    // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
    if (!Array.isArray(state) || state.length < 8 || state.length > 9) throw new Error(`bad numpy dtype state: ${describe(state)}`);
    const order = state[1];
    if (order !== '<' && order !== '>' && order !== '|' && order !== '=') throw new Error(`bad numpy byte order ${describe(order)}`);
    if (state[2] !== null || state[3] !== null || state[4] !== null) throw new Error('structured numpy dtypes are not supported');
    this.littleEndian = order !== '>';
  }
}

/** numpy.ndarray, from its pickled state or a buffer. */
export class NdArray implements Buildable, NdArrayValue {
  readonly kind = 'ndarray';
  shape: number[] = [];
  private dt: NpDType | null = null;
  private fortran = false;
  private raw: Uint8Array | readonly TorchValue[] | null = null;

  get dtype(): string {
    return this.dt?.code ?? 'unset';
  }

  get size(): number {
    return product(this.shape, 'numpy array');
  }

  [SET_STATE](state: unknown): void {
    // (version, shape, dtype, is_fortran, data); very old pickles omit the version.
    if (!Array.isArray(state) || state.length < 4 || state.length > 5) throw new Error(`bad numpy array state: ${describe(state)}`);
    const s = state.length === 5 ? state.slice(1) : state;
    this.set(s[0], s[1], s[2] === true, s[3]);
  }

  set(shape: unknown, dtype: unknown, fortran: boolean, data: unknown): void {
    if (!(dtype instanceof NpDType)) throw new Error(`numpy array dtype must be a numpy.dtype, found ${describe(dtype)}`);
    this.shape = asIntList(shape, 'numpy array shape');
    this.dt = dtype;
    this.fortran = fortran;
    const n = this.size;
    if (dtype.isObject) {
      if (!Array.isArray(data) || data.length !== n) throw new Error(`object array of ${n} elements holds ${describe(data)}`);
      this.raw = data as TorchValue[];
    } else {
      const bytes = typeof data === 'string' ? latin1(data) : data;
      if (!(bytes instanceof Uint8Array)) throw new Error(`numpy array data must be bytes, found ${describe(data)}`);
      if (bytes.length !== n * KINDS[dtype.code].bytes)
        throw new Error(`numpy array (${this.shape.join(', ')}) ${dtype.code} needs ${n * KINDS[dtype.code].bytes} bytes, has ${bytes.length}`);
      this.raw = bytes;
    }
  }

  /** Element i (row-major), as a number or the stored object. */
  values(): Float64Array | readonly TorchValue[] {
    const raw = this.raw;
    if (raw === null || this.dt === null) throw new Error('numpy array has no data (its state was never set)');
    if (!(raw instanceof Uint8Array)) return raw;
    const kind = KINDS[this.dt.code];
    const le = this.dt.littleEndian;
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const n = this.size;
    const out = new Float64Array(n);
    // Row-major index → storage index (Fortran arrays store the first axis fastest).
    const dims = this.shape;
    const fStride = dims.map((_, i) => dims.slice(0, i).reduce((a, b) => a * b, 1));
    const idx = new Array<number>(dims.length).fill(0);
    for (let i = 0; i < n; i++) {
      let at = i;
      if (this.fortran && dims.length > 1) {
        at = 0;
        for (let d = 0; d < dims.length; d++) at += idx[d] * fStride[d];
        for (let d = dims.length - 1; d >= 0 && ++idx[d] === dims[d]; d--) idx[d] = 0;
      }
      out[i] = kind.get(dv, at * kind.bytes, le);
    }
    return out;
  }
}

const ndarrayClass = new PyGlobal({ name: 'numpy.ndarray' });

const reconstruct = (name: string): GlobalSpec => ({
  name,
  call(args: PyArgs) {
    const [cls] = asArgs(args, 3, 3, name);
    if (cls !== ndarrayClass) throw new Error(`${name} can only rebuild numpy.ndarray, not ${describe(cls)}`);
    return new NdArray();
  },
});

const frombuffer = (name: string): GlobalSpec => ({
  name,
  call(args: PyArgs) {
    const [buf, dtype, shape, order] = asArgs(args, 4, 4, name);
    const a = new NdArray();
    a.set(shape, dtype, asString(order, 'array order') === 'F', buf);
    return a;
  },
});

const scalar = (name: string): GlobalSpec => ({
  name,
  call(args: PyArgs) {
    const [dtype, data] = asArgs(args, 2, 2, name);
    const a = new NdArray();
    a.set([], dtype, false, data);
    const v = a.values();
    return v[0];
  },
});

const dtypeSpec: GlobalSpec = {
  name: 'numpy.dtype',
  call(args: PyArgs, kw?: Map<unknown, unknown>) {
    noKwargs(kw, 'numpy.dtype');
    return new NpDType(asString(asArgs(args, 1, 3, 'numpy.dtype')[0], 'dtype code'));
  },
};

/** `module.name` → spec for numpy 1.x (numpy.core) and 2.x (numpy._core) names. */
export function numpyGlobals(): Map<string, PyGlobal> {
  const m = new Map<string, PyGlobal>([
    ['numpy.ndarray', ndarrayClass],
    ['numpy.dtype', new PyGlobal(dtypeSpec)],
  ]);
  for (const core of ['numpy.core', 'numpy._core']) {
    for (const spec of [
      reconstruct(`${core}.multiarray._reconstruct`),
      scalar(`${core}.multiarray.scalar`),
      frombuffer(`${core}.numeric._frombuffer`),
    ])
      m.set(spec.name, new PyGlobal(spec));
  }
  return m;
}
