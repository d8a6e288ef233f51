// A pickle virtual machine (protocols 0–5) that executes nothing: GLOBAL resolves through an allowlist
// supplied by the caller, REDUCE/NEWOBJ/BUILD only reach the functions that allowlist defines, and every
// length is checked against the bytes left, so garbage input ends in an Error, never a hang or a giant
// allocation (the stack and memo grow by at most one entry per input byte).
import { describe, type PyArgs } from './values';

/** What an allowed global does when the pickle calls (REDUCE), instantiates (NEWOBJ) or refers to it. */
export interface GlobalSpec {
  /** `module.qualname` */
  readonly name: string;
  call?(args: PyArgs, kwargs?: Map<unknown, unknown>): unknown;
  construct?(args: PyArgs, kwargs?: Map<unknown, unknown>): unknown;
}

/** A resolved global on the VM stack. */
export class PyGlobal {
  constructor(readonly spec: GlobalSpec) {}
}

/** Objects that accept BUILD (Python's __setstate__). */
export const SET_STATE: unique symbol = Symbol('setState');
export interface Buildable {
  [SET_STATE](state: unknown): void;
}

export interface PickleHooks {
  /** Throws (naming `module.name`) unless the global is allowed. */
  resolveGlobal(module: string, name: string): PyGlobal;
  persistentLoad(pid: unknown): unknown;
}

// Python 2 names that protocol ≤ 2 pickles use, mapped as pickle's fix_imports does.
const PY2_MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

const utf8 = new TextDecoder('utf-8');

/** Widest integer accepted (8192 bits); Python's pickle only switches to LONG4 beyond 255 bytes. */
export const MAX_INT_BYTES = 1024;
const MAX_INT_DIGITS = Math.ceil(MAX_INT_BYTES * 8 * Math.log10(2)) + 2;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const safe = (v: bigint): number | bigint =>
  v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;

/** Runs `bytes` and returns the unpickled root value; `label` prefixes every error. */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks, label: string): unknown {
  const vm = new Machine(bytes, hooks);
  try {
    return vm.run();
  } catch (e) {
    // Only our own errors get the position; anything else (a TypeError) is a bug and stays visible as one.
    if (!(e instanceof Error) || e.constructor !== Error) throw e;
    throw new Error(`${label}: ${e.message} (pickle byte ${vm.opStart})`);
  }
}

class Machine {
  private pos = 0;
  opStart = 0;
  private stack: unknown[] = [];
  private marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly tuples = new WeakSet<object>();
  private readonly dv: DataView;

  constructor(private readonly b: Uint8Array, private readonly hooks: PickleHooks) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private need(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.b.length)
      throw new Error(`truncated pickle: needs ${n} more bytes at ${this.pos} of ${this.b.length}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  private u8 = (): number => this.b[this.need(1)];
  private u16 = (): number => this.dv.getUint16(this.need(2), true);
  private u32 = (): number => this.dv.getUint32(this.need(4), true);
  private u64(): number {
    const at = this.need(8);
    const hi = this.dv.getUint32(at + 4, true);
    if (hi >= 0x200000) throw new Error('length above 2^53');
    return hi * 0x100000000 + this.dv.getUint32(at, true);
  }
  private bytes = (n: number): Uint8Array => this.b.slice(this.need(n), this.pos);
  private text = (n: number): string => utf8.decode(this.b.subarray(this.need(n), this.pos));
  private line(): string {
    const end = this.b.indexOf(0x0a, this.pos);
    if (end < 0) throw new Error('truncated pickle: unterminated text argument');
    return this.text(end - this.pos + 1).slice(0, -1);
  }

  private push(v: unknown): void {
    this.stack.push(v);
  }
  private pop(): unknown {
    if (this.stack.length === 0 || (this.marks.length && this.stack.length <= this.marks[this.marks.length - 1]))
      throw new Error('stack underflow');
    return this.stack.pop();
  }
  private top(): unknown {
    if (this.stack.length === 0) throw new Error('stack underflow');
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const m = this.marks.pop();
    if (m === undefined) throw new Error('no MARK on the stack');
    return this.stack.splice(m);
  }
  private tuple(items: unknown[]): unknown[] {
    this.tuples.add(items);
    return items;
  }
  private list(v: unknown): unknown[] {
    if (!Array.isArray(v) || this.tuples.has(v)) throw new Error(`expected a list, found ${describe(v)}`);
    return v;
  }
  private dict(v: unknown): Map<unknown, unknown> {
    if (!(v instanceof Map)) throw new Error(`expected a dict, found ${describe(v)}`);
    return v;
  }
  private args(v: unknown): PyArgs {
    if (!Array.isArray(v)) throw new Error(`expected an argument tuple, found ${describe(v)}`);
    return v;
  }
  private global(v: unknown, use: 'call' | 'construct'): (args: PyArgs, kw?: Map<unknown, unknown>) => unknown {
    if (!(v instanceof PyGlobal)) throw new Error(`cannot ${use === 'call' ? 'call' : 'instantiate'} ${describe(v)}`);
    const fn = v.spec[use];
    if (!fn) throw new Error(`${v.spec.name} cannot be ${use === 'call' ? 'called' : 'instantiated'} here`);
    return fn.bind(v.spec);
  }
  private resolve(module: string, name: string): PyGlobal {
    return this.hooks.resolveGlobal(PY2_MODULES[module] ?? module, name);
  }
  private getMemo(i: number): unknown {
    if (!this.memo.has(i)) throw new Error(`memo key ${i} was never stored`);
    return this.memo.get(i);
  }
  private putMemo(i: number): void {
    this.memo.set(i, this.top());
  }

  // LONG1/LONG4: little-endian two's complement. Built from one hex string (linear; a byte-by-byte BigInt
  // shift is quadratic), and only up to MAX_INT_BYTES: torch files never hold ints wider than 8 bytes.
  private long(n: number, opcode: string): number | bigint {
    const at = this.need(n);
    if (n === 0) return 0;
    if (n > MAX_INT_BYTES) throw new Error(`${opcode} integer of ${n} bytes refused (at most ${MAX_INT_BYTES})`);
    let hex = '';
    for (let i = n - 1; i >= 0; i--) hex += HEX[this.b[at + i]];
    let v = BigInt(`0x${hex}`);
    if (this.b[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return safe(v);
  }
  private intText(s: string): number | bigint | boolean {
    if (s === '01') return true;
    if (s === '00') return false;
    // Decimal parsing is superlinear too: the same bound, in digits.
    if (s.length > MAX_INT_DIGITS) throw new Error(`integer literal of ${s.length} characters refused (at most ${MAX_INT_DIGITS})`);
    if (!/^[+-]?\d+L?$/.test(s)) throw new Error(`bad integer literal ${JSON.stringify(s.slice(0, 40))}`);
    return safe(BigInt(s.replace(/L$/, '')));
  }

  run(): unknown {
    for (;;) {
      this.opStart = this.pos;
      const op = this.u8();
      switch (op) {
        case 0x80: { // PROTO
          const p = this.u8();
          if (p > 5) throw new Error(`unsupported pickle protocol ${p}`);
          break;
        }
        case 0x95: this.u64(); break; // FRAME: a length hint only
        case 0x2e: return this.pop(); // STOP
        case 0x28: this.marks.push(this.stack.length); break; // MARK
        case 0x30: this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.push(this.top()); break; // DUP
        case 0x4e: this.push(null); break; // NONE
        case 0x88: this.push(true); break; // NEWTRUE
        case 0x89: this.push(false); break; // NEWFALSE
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.u16()); break; // BININT2
        case 0x4a: this.push(this.dv.getInt32(this.need(4), true)); break; // BININT
        case 0x8a: this.push(this.long(this.u8(), 'LONG1')); break; // LONG1
        case 0x8b: this.push(this.long(this.u32(), 'LONG4')); break; // LONG4
        case 0x49: this.push(this.intText(this.line())); break; // INT
        case 0x4c: this.push(this.intText(this.line())); break; // LONG
        case 0x47: this.push(this.dv.getFloat64(this.need(8), false)); break; // BINFLOAT (big-endian)
        case 0x46: { // FLOAT
          const s = this.line();
          const v = Number(s);
          if (s.trim() === '' || (Number.isNaN(v) && !/^[+-]?nan$/i.test(s))) throw new Error(`bad float literal ${JSON.stringify(s.slice(0, 40))}`);
          this.push(v);
          break;
        }
        case 0x58: this.push(this.text(this.u32())); break; // BINUNICODE
        case 0x8c: this.push(this.text(this.u8())); break; // SHORT_BINUNICODE
        case 0x8d: this.push(this.text(this.u64())); break; // BINUNICODE8
        case 0x56: this.push(unescapeRaw(this.line())); break; // UNICODE (raw-unicode-escape)
        case 0x55: this.push(this.text(this.u8())); break; // SHORT_BINSTRING (py2 str, decoded as torch.load does)
        case 0x54: this.push(this.text(this.dv.getInt32(this.need(4), true))); break; // BINSTRING
        case 0x53: this.push(pyStringLiteral(this.line())); break; // STRING
        case 0x43: this.push(this.bytes(this.u8())); break; // SHORT_BINBYTES
        case 0x42: this.push(this.bytes(this.u32())); break; // BINBYTES
        case 0x8e: case 0x96: this.push(this.bytes(this.u64())); break; // BINBYTES8, BYTEARRAY8
        case 0x97: throw new Error('out-of-band buffers (NEXT_BUFFER) are not supported');
        case 0x98: this.top(); break; // READONLY_BUFFER
        case 0x29: this.push(this.tuple([])); break; // EMPTY_TUPLE
        case 0x74: this.push(this.tuple(this.popMark())); break; // TUPLE
        case 0x85: case 0x86: case 0x87: { // TUPLE1..3
          const n = op - 0x84;
          if (this.stack.length < n || (this.marks.length && this.stack.length - n < this.marks[this.marks.length - 1]))
            throw new Error('stack underflow');
          this.push(this.tuple(this.stack.splice(this.stack.length - n)));
          break;
        }
        case 0x5d: this.push([]); break; // EMPTY_LIST
        case 0x6c: this.push(this.popMark()); break; // LIST
        case 0x61: { const v = this.pop(); this.list(this.top()).push(v); break; } // APPEND
        case 0x65: { const items = this.popMark(); const l = this.list(this.top()); for (const v of items) l.push(v); break; } // APPENDS
        case 0x7d: this.push(new Map()); break; // EMPTY_DICT
        case 0x64: this.push(pairs(new Map(), this.popMark())); break; // DICT
        case 0x73: { const v = this.pop(); const k = this.pop(); this.dict(this.top()).set(k, v); break; } // SETITEM
        case 0x75: { const items = this.popMark(); pairs(this.dict(this.top()), items); break; } // SETITEMS
        case 0x8f: this.push(new Set()); break; // EMPTY_SET
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const s = this.top();
          if (!(s instanceof Set)) throw new Error(`expected a set, found ${describe(s)}`);
          for (const v of items) s.add(v);
          break;
        }
        case 0x91: this.push(new Set(this.popMark())); break; // FROZENSET
        case 0x67: this.push(this.getMemo(this.intText(this.line()) as number)); break; // GET
        case 0x68: this.push(this.getMemo(this.u8())); break; // BINGET
        case 0x6a: this.push(this.getMemo(this.u32())); break; // LONG_BINGET
        case 0x70: this.putMemo(this.intText(this.line()) as number); break; // PUT
        case 0x71: this.putMemo(this.u8()); break; // BINPUT
        case 0x72: this.putMemo(this.u32()); break; // LONG_BINPUT
        case 0x94: this.putMemo(this.memo.size); break; // MEMOIZE
        case 0x63: { const module = this.line(); this.push(this.resolve(module, this.line())); break; } // GLOBAL
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw new Error('STACK_GLOBAL needs two strings');
          this.push(this.resolve(module, name));
          break;
        }
        case 0x52: { const args = this.args(this.pop()); this.push(this.global(this.pop(), 'call')(args)); break; } // REDUCE
        case 0x81: { const args = this.args(this.pop()); this.push(this.global(this.pop(), 'construct')(args)); break; } // NEWOBJ
        case 0x92: { // NEWOBJ_EX
          const kw = this.dict(this.pop());
          const args = this.args(this.pop());
          this.push(this.global(this.pop(), 'construct')(args, kw));
          break;
        }
        case 0x69: { // INST
          const module = this.line();
          const g = this.resolve(module, this.line());
          this.push(this.global(g, 'call')(this.popMark()));
          break;
        }
        case 0x6f: { const [cls, ...args] = this.popMark(); this.push(this.global(cls, 'call')(args)); break; } // OBJ
        case 0x62: this.build(this.pop(), this.top()); break; // BUILD
        case 0x51: this.push(this.hooks.persistentLoad(this.pop())); break; // BINPERSID
        case 0x50: this.push(this.hooks.persistentLoad(this.line())); break; // PERSID
        case 0x82: case 0x83: case 0x84: throw new Error('extension registry codes (EXT1/2/4) are not supported');
        default: throw new Error(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }

  private build(state: unknown, obj: unknown): void {
    if (obj !== null && typeof obj === 'object' && SET_STATE in obj) (obj as Buildable)[SET_STATE](state);
    // A dict subclass's attributes (a state dict's `_metadata`): not part of the value.
    else if (obj instanceof Map && (state instanceof Map || state === null)) return;
    else throw new Error(`cannot set the state of ${describe(obj)}`);
  }
}

function pairs(d: Map<unknown, unknown>, items: unknown[]): Map<unknown, unknown> {
  if (items.length % 2) throw new Error('odd number of items for a dict');
  for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  return d;
}

// Protocol 0's UNICODE argument: raw-unicode-escape (only \uXXXX and \UXXXXXXXX are escapes).
function unescapeRaw(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a: string, b: string) => {
    const cp = parseInt(a ?? b, 16);
    if (cp > 0x10ffff) throw new Error('bad \\U escape');
    return String.fromCodePoint(cp);
  });
}

// Protocol 0's STRING argument: a quoted Python literal with backslash escapes.
function pyStringLiteral(s: string): string {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) throw new Error('STRING argument is not quoted');
  const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
  return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) =>
    e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (esc[e] ?? `\\${e}`),
  );
}
