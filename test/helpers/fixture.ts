// Reading the reference fixtures in place (never copied into the repo) and comparing against them.
import path from 'node:path';
import { openSafetensors, type SafetensorsFile } from '../../src/engine/io/safetensors';
import { openPath } from '../../src/engine/io/source-node';
import type { HostTensor } from '../../src/engine/runtime/tensor';

export const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures');
export const TINY = path.join(FIXTURES, 'tiny-sd-a');

export const fixturePath = (...parts: string[]): string => path.join(TINY, ...parts);

export async function openFixture(...parts: string[]): Promise<SafetensorsFile> {
  return openSafetensors(await openPath(fixturePath(...parts)));
}

/** A fixture tensor as a HostTensor (float32 or int64, as stored). */
export async function tensor(file: SafetensorsFile, key: string): Promise<HostTensor> {
  const { dtype, shape } = file.info(key);
  if (dtype === 'I64') return { dtype: 'int64', shape: [...shape], data: await file.readInt64(key) };
  return { dtype: 'float32', shape: [...shape], data: await file.readFloat32(key) };
}

/** The fixtures' error measure: max |a − e| / max |e|. */
export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}
