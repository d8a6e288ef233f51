// Checks for values coming off the pickle stack: every allowlisted function validates its arguments
// with these, so a malformed pickle gets an error naming what was expected instead of a TypeError.
export type PyArgs = readonly unknown[];

/** A short, safe description of any VM value (no recursion into containers). */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return `a sequence of ${v.length}`;
  if (v instanceof Map) return `a dict of ${v.size}`;
  if (v instanceof Set) return `a set of ${v.size}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') {
    const o = v as { kind?: unknown; spec?: { name?: unknown } };
    if (o.spec && typeof o.spec.name === 'string') return o.spec.name;
    if (typeof o.kind === 'string') return `a ${o.kind}`;
    return 'an object';
  }
  return `${typeof v} ${String(v)}`;
}

export function asInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`${what} must be an integer, found ${describe(v)}`);
  return v;
}

export function asNonNegInt(v: unknown, what: string): number {
  const n = asInt(v, what);
  if (n < 0) throw new Error(`${what} must be ≥ 0, found ${n}`);
  return n;
}

export function asIntList(v: unknown, what: string): number[] {
  if (!Array.isArray(v)) throw new Error(`${what} must be a tuple of integers, found ${describe(v)}`);
  return v.map((x, i) => asNonNegInt(x, `${what}[${i}]`));
}

export function asString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} must be a string, found ${describe(v)}`);
  return v;
}

export function asArgs(args: PyArgs, min: number, max: number, fn: string): PyArgs {
  if (args.length < min || args.length > max)
    throw new Error(`${fn} takes ${min === max ? min : `${min}–${max}`} arguments, got ${args.length}`);
  return args;
}

export function noKwargs(kw: Map<unknown, unknown> | undefined, fn: string): void {
  if (kw && kw.size) throw new Error(`${fn} does not take keyword arguments here`);
}

/** Product of dims, or an error if it leaves the safe-integer range. */
export function product(dims: readonly number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (!Number.isSafeInteger(n)) throw new Error(`${what}: ${dims.join('×')} elements is too many`);
  }
  return n;
}

/** A Python 2 / latin-1 text string as the bytes it stands for. */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new Error('latin-1 text holds a character above U+00FF');
    out[i] = c;
  }
  return out;
}
