// Typed, validating access to one config.json. JSON null counts as absent (the default applies), the way
// older configs omit fields that newer diffusers versions write out as null.

export class ConfigFields {
  private constructor(
    private readonly json: Record<string, unknown>,
    readonly file: string,
  ) {}

  static of(json: unknown, file: string): ConfigFields {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file} is not a JSON object`);
    return new ConfigFields(json as Record<string, unknown>, file);
  }

  /** The value, or undefined when absent or null. */
  get(key: string): unknown {
    return Object.hasOwn(this.json, key) ? (this.json[key] ?? undefined) : undefined;
  }

  isNull(key: string): boolean {
    return Object.hasOwn(this.json, key) && this.json[key] === null;
  }

  invalid(key: string, want: string): Error {
    return new Error(`${this.file}: ${key} must be ${want}, got ${JSON.stringify(this.json[key])}`);
  }

  /** An "unsupported: …" error naming the field and its value. */
  unsupported(key: string, why: string, value: unknown = this.json[key]): Error {
    return new Error(`unsupported: ${key} ${JSON.stringify(value)} in ${this.file} (${why})`);
  }

  /** Rejects the config unless `key` is absent or one of `allowed`. */
  only(key: string, allowed: readonly unknown[], why: string): void {
    const v = this.get(key);
    if (v !== undefined && !allowed.includes(v)) throw this.unsupported(key, why);
  }

  private value<T>(key: string, def: T | undefined, ok: (v: unknown) => v is T, want: string): T {
    const v = this.get(key);
    if (v === undefined) {
      if (def === undefined) throw new Error(`missing field "${key}" in ${this.file}`);
      return def;
    }
    if (!ok(v)) throw this.invalid(key, want);
    return v;
  }

  int(key: string, def?: number, min = 0): number {
    return this.value(key, def, (v): v is number => Number.isSafeInteger(v) && (v as number) >= min, `an integer ≥ ${min}`);
  }

  num(key: string, def?: number): number {
    return this.value(key, def, (v): v is number => typeof v === 'number' && Number.isFinite(v), 'a finite number');
  }

  bool(key: string, def?: boolean): boolean {
    return this.value(key, def, (v): v is boolean => typeof v === 'boolean', 'true or false');
  }

  str(key: string, def?: string): string {
    return this.value(key, def, (v): v is string => typeof v === 'string', 'a string');
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], def?: T): T {
    const v = this.str(key, def);
    if (!allowed.includes(v as T)) throw this.unsupported(key, `expected one of ${allowed.join(', ')}`);
    return v as T;
  }

  intList(key: string, def?: number[], min = 1): number[] {
    const ok = (v: unknown): v is number[] =>
      Array.isArray(v) && v.length > 0 && v.every((x) => Number.isSafeInteger(x) && x >= min);
    return [...this.value(key, def, ok, `a non-empty list of integers ≥ ${min}`)];
  }

  strList(key: string, def?: string[]): string[] {
    const ok = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
    return [...this.value(key, def, ok, 'a non-empty list of strings')];
  }

  /** An integer or a per-block list of `n` integers (diffusers accepts both), as a list. */
  perBlock(key: string, n: number, def?: number, min = 1): number[] {
    const v = this.get(key);
    if (!Array.isArray(v)) return Array(n).fill(this.int(key, def, min));
    const list = this.intList(key, undefined, min);
    if (list.length !== n) throw this.invalid(key, `an integer or a list of ${n} (one per block)`);
    return list;
  }
}
