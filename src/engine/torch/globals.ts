// The allowlist: the only Python globals a torch.save pickle may name. Everything else is refused by
// name before anything runs; the "functions" here are our own TypeScript that builds plain values.
import { numpyGlobals } from './numpy';
import { pandasGlobals } from './pandas';
import { PyGlobal, type GlobalSpec } from './pickle';
import { makeTensor, Storage } from './tensor';
import type { SliceValue, TorchDType, TorchTensor } from './types';
import { asArgs, asInt, asIntList, asNonNegInt, describe, latin1, noKwargs, type PyArgs } from './values';

/** Storage classes named in persistent ids, with their element type. */
export const STORAGE_TYPES = new Map<PyGlobal, TorchDType>();

const STORAGES: Record<string, TorchDType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

function asTensor(v: unknown, what: string): TorchTensor {
  if (v === null || typeof v !== 'object' || (v as { kind?: unknown }).kind !== 'tensor') throw new Error(`${what} must be a tensor, found ${describe(v)}`);
  return v as TorchTensor;
}

function rebuildTensor(name: string, min: number, max: number): GlobalSpec {
  return {
    name,
    call(args: PyArgs) {
      const [storage, offset, size, stride] = asArgs(args, min, max, name);
      if (!(storage instanceof Storage)) throw new Error(`${name} needs a storage, found ${describe(storage)}`);
      return makeTensor(storage, asNonNegInt(offset, 'storage offset'), asIntList(size, 'tensor size'), asIntList(stride, 'tensor stride'));
    },
  };
}

const tensorClass = new PyGlobal({ name: 'torch.Tensor' });
const parameterClass = new PyGlobal({ name: 'torch.nn.parameter.Parameter' });

// Subclass wrappers: rebuild with `func(*args)`; only plain Tensor/Parameter types and no extra state.
function rebuildFromType(name: string): GlobalSpec {
  return {
    name,
    call(args: PyArgs) {
      const [func, type, fargs, state] = asArgs(args, 4, 4, name);
      if (type !== tensorClass && type !== parameterClass) throw new Error(`${name} of ${describe(type)} is not supported`);
      if (!(func instanceof PyGlobal) || !func.spec.call) throw new Error(`${name} needs a rebuild function, found ${describe(func)}`);
      if (!Array.isArray(fargs)) throw new Error(`${name} needs an argument tuple`);
      if (!(state === null || (state instanceof Map && state.size === 0))) throw new Error(`${name}: tensor attributes are not supported`);
      return func.spec.call(fargs);
    },
  };
}

const torchSpecs: GlobalSpec[] = [
  rebuildTensor('torch._utils._rebuild_tensor_v2', 6, 7),
  rebuildTensor('torch._utils._rebuild_tensor', 4, 4),
  { name: 'torch._utils._rebuild_parameter', call: (a) => asTensor(asArgs(a, 3, 3, '_rebuild_parameter')[0], 'parameter data') },
  { name: 'torch._utils._rebuild_parameter_with_state', call: (a) => asTensor(asArgs(a, 4, 4, '_rebuild_parameter_with_state')[0], 'parameter data') },
  rebuildFromType('torch._tensor._rebuild_from_type_v2'),
  rebuildFromType('torch._tensor._rebuild_from_type'),
  { name: 'torch.Size', call: (a) => asIntList(asArgs(a, 0, 1, 'torch.Size')[0] ?? [], 'torch.Size') },
];

function dictFrom(args: PyArgs, kw: Map<unknown, unknown> | undefined, name: string): Map<unknown, unknown> {
  noKwargs(kw, name);
  const [items] = asArgs(args, 0, 1, name);
  const m = new Map<unknown, unknown>();
  if (items === undefined) return m;
  if (items instanceof Map) return new Map(items);
  if (!Array.isArray(items)) throw new Error(`${name} needs pairs, found ${describe(items)}`);
  for (const p of items) {
    if (!Array.isArray(p) || p.length !== 2) throw new Error(`${name} needs pairs, found ${describe(p)}`);
    m.set(p[0], p[1]);
  }
  return m;
}

function sliceBound(v: unknown, what: string): number | null {
  return v === null || v === undefined ? null : asInt(v, what);
}

const builtinSpecs: GlobalSpec[] = [
  { name: 'collections.OrderedDict', call: (a, kw) => dictFrom(a, kw, 'OrderedDict'), construct: (a, kw) => dictFrom(a, kw, 'OrderedDict') },
  {
    name: 'builtins.slice',
    call(args): SliceValue {
      const [a, b, c] = asArgs(args, 1, 3, 'slice');
      if (args.length === 1) return { kind: 'slice', start: null, stop: sliceBound(a, 'slice stop'), step: null };
      return { kind: 'slice', start: sliceBound(a, 'slice start'), stop: sliceBound(b, 'slice stop'), step: sliceBound(c, 'slice step') };
    },
  },
  { name: 'builtins.set', call: (a) => new Set(seq(asArgs(a, 0, 1, 'set')[0])) },
  { name: 'builtins.frozenset', call: (a) => new Set(seq(asArgs(a, 0, 1, 'frozenset')[0])) },
  { name: 'builtins.bytes', call: (a) => bytesOf(asArgs(a, 0, 2, 'bytes')) },
  { name: 'builtins.bytearray', call: (a) => bytesOf(asArgs(a, 0, 2, 'bytearray')) },
  // Protocol 2 writes bytes as _codecs.encode(<latin-1 text>, 'latin1').
  { name: '_codecs.encode', call: (a) => bytesOf(asArgs(a, 2, 2, '_codecs.encode')) },
];

function seq(v: unknown): unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  throw new Error(`expected a sequence, found ${describe(v)}`);
}

function bytesOf(args: PyArgs): Uint8Array {
  const [v, enc] = args;
  if (v === undefined) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v.slice();
  if (typeof v === 'string' && (enc === 'latin1' || enc === 'latin-1' || enc === 'iso-8859-1')) return latin1(v);
  throw new Error(`cannot make bytes from ${describe(v)}${enc === undefined ? '' : ` with encoding ${describe(enc)}`}`);
}

let table: Map<string, PyGlobal> | undefined;

function allowlist(): Map<string, PyGlobal> {
  if (table) return table;
  table = new Map([...numpyGlobals(), ...pandasGlobals()]);
  for (const s of [...torchSpecs, ...builtinSpecs]) table.set(s.name, new PyGlobal(s));
  table.set('torch.Tensor', tensorClass);
  table.set('torch.nn.parameter.Parameter', parameterClass);
  for (const [cls, dtype] of Object.entries(STORAGES)) {
    for (const module of ['torch', 'torch.cuda']) {
      const g = new PyGlobal({ name: `${module}.${cls}` });
      STORAGE_TYPES.set(g, dtype);
      table.set(g.spec.name, g);
    }
  }
  for (const name of ['torch.UntypedStorage', 'torch.storage.UntypedStorage']) {
    const g = new PyGlobal({ name });
    STORAGE_TYPES.set(g, 'uint8');
    table.set(name, g);
  }
  return table;
}

/** The allowed global `module.name`, or an error naming it. */
export function resolveGlobal(module: string, name: string): PyGlobal {
  const full = `${module}.${name}`;
  const g = allowlist().get(full);
  if (!g) throw new Error(`refused global ${full}: only tensors, storages, OrderedDict, torch.Size and numpy/pandas DataFrame parts may be loaded`);
  return g;
}
