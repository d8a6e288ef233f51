// Everything an inversion run needs to continue exactly where it stopped: coefficients, Adam moments,
// the generator's state, the loss curve, and fingerprints of the settings and inputs it belongs to.
// Structured-clone friendly (IndexedDB), and to/from bytes (safetensors) for files.
import { writeSafetensors, type SafetensorsFile } from '../io/safetensors';
import type { RngState } from '../sd/random';
import type { AdamState } from './adam';
import type { InversionSettings } from './settings';

export interface InversionState {
  settings: InversionSettings;
  /** Hash of the prepared image and mask, so a checkpoint is never resumed on other inputs. */
  inputs: string;
  coef: Float32Array;
  adam: AdamState;
  rng: RngState;
  /** Loss at each step taken so far. */
  losses: number[];
}

export const cloneState = (s: InversionState): InversionState => ({
  settings: { ...s.settings },
  inputs: s.inputs,
  coef: s.coef.slice(),
  adam: { step: s.adam.step, m: s.adam.m.slice(), v: s.adam.v.slice() },
  rng: { s: [...s.rng.s], spare: s.rng.spare },
  losses: [...s.losses],
});

/** FNV-1a over the float bits of the arrays, as hex. */
export function fingerprint(...arrays: Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const F32 = (data: Float32Array) => ({ dtype: 'F32' as const, shape: [data.length], data });

/** A checkpoint file: coef / adam_m / adam_v tensors, the rest as metadata (JSON numbers round-trip exactly). */
export function stateToBytes(s: InversionState): Uint8Array {
  return writeSafetensors(
    { coef: F32(s.coef), adam_m: F32(s.adam.m), adam_v: F32(s.adam.v) },
    {
      format: 'w2w-inversion-checkpoint',
      settings: JSON.stringify(s.settings),
      inputs: s.inputs,
      step: String(s.adam.step),
      rng: JSON.stringify(s.rng),
      losses: JSON.stringify(s.losses),
    },
  );
}

export async function stateFromFile(f: SafetensorsFile): Promise<InversionState> {
  const md = f.metadata;
  if (md.format !== 'w2w-inversion-checkpoint') throw new Error(`${f.name}: not an inversion checkpoint`);
  const [coef, m, v] = await Promise.all(['coef', 'adam_m', 'adam_v'].map((k) => f.readFloat32(k)));
  const step = Number(md.step);
  const losses = JSON.parse(md.losses) as number[];
  if (!Number.isInteger(step) || losses.length !== step || m.length !== coef.length || v.length !== coef.length)
    throw new Error(`${f.name}: inconsistent inversion checkpoint (step ${md.step}, ${losses.length} losses, ${coef.length}/${m.length}/${v.length} values)`);
  return {
    settings: JSON.parse(md.settings) as InversionSettings,
    inputs: md.inputs,
    coef,
    adam: { step, m, v },
    rng: JSON.parse(md.rng),
    losses,
  };
}
