// A weight source with deliberate changes (renamed, dropped, reshaped or edited tensors), for the models'
// error paths and alternative checkpoint layouts without writing modified files.
import { float32ToHalf } from '../../src/engine/io/half';
import type { TensorSource } from '../../src/engine/models/params';

export interface Tampering {
  /** Maps each original key to the key the tampered source shows. */
  rename?: (key: string) => string;
  /** Keys (after renaming) that disappear. */
  drop?: readonly string[];
  /** Keys (after renaming) whose header claims another shape. */
  shapes?: Readonly<Record<string, readonly number[]>>;
  /** Keys (after renaming) whose header claims another dtype. */
  dtypes?: Readonly<Record<string, string>>;
  /** Keys (after renaming) whose values change on read. */
  edit?: Readonly<Record<string, (x: Float32Array) => Float32Array>>;
}

export function tamper(src: TensorSource, t: Tampering): TensorSource {
  const rename = t.rename ?? ((k: string) => k);
  const original = new Map(src.keys().map((k) => [rename(k), k]));
  for (const k of t.drop ?? []) original.delete(k);
  const orig = (k: string) => {
    const o = original.get(k);
    if (o === undefined) throw new Error(`tampered source: no tensor ${k}`);
    return o;
  };
  const readFloat32 = async (k: string) => {
    const x = await src.readFloat32(orig(k));
    return t.edit?.[k] ? t.edit[k](x) : x;
  };
  return {
    name: `${src.name} (tampered)`,
    keys: () => [...original.keys()],
    info: (k) => {
      const i = src.info(orig(k));
      return { ...i, ...(t.shapes?.[k] && { shape: t.shapes[k] }), ...(t.dtypes?.[k] && { dtype: t.dtypes[k] }) };
    },
    readFloat32,
    readFloat16Bits: async (k) => (t.edit?.[k] ? float32ToHalf(await readFloat32(k)) : src.readFloat16Bits(orig(k))),
  };
}
