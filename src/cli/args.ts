// A small flag parser: `--name value`, repeatable flags collect into arrays, `--flag` alone is true.

export interface FlagSpec {
  /** Flags that may repeat (their values collect into an array). */
  repeat?: readonly string[];
  /** Flags that take no value. */
  boolean?: readonly string[];
  /** Every accepted flag; anything else is an error naming it. */
  known: readonly string[];
}

export type Flags = Record<string, string | string[] | boolean>;

export function parseFlags(argv: readonly string[], spec: FlagSpec): Flags {
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const name = a.slice(2);
    if (!spec.known.includes(name)) throw new Error(`unknown flag --${name} (accepted: ${spec.known.map((k) => '--' + k).join(' ')})`);
    if (spec.boolean?.includes(name)) {
      out[name] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${name} needs a value`);
    if (spec.repeat?.includes(name)) out[name] = [...((out[name] as string[]) ?? []), v];
    else out[name] = v;
  }
  return out;
}

export function str(f: Flags, name: string, dflt?: string): string {
  const v = f[name];
  if (typeof v === 'string') return v;
  if (dflt !== undefined) return dflt;
  throw new Error(`missing --${name}`);
}

export function num(f: Flags, name: string, dflt?: number): number {
  const v = f[name];
  if (v === undefined && dflt !== undefined) return dflt;
  const n = Number(str(f, name));
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${String(v)}`);
  return n;
}

export const list = (f: Flags, name: string): string[] => (f[name] as string[] | undefined) ?? [];
