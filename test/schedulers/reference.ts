// Float64 closed forms and inputs shared by the scheduler tests, written independently of the
// float32 implementations under test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RawSchedulerConfig } from '../../src/engine/schedulers';

export const TINY = path.resolve(process.cwd(), '../shared/fixtures/tiny-sd-a');
export const sdConfig: RawSchedulerConfig = JSON.parse(readFileSync(path.join(TINY, 'scheduler/scheduler_config.json'), 'utf8'));

/** Deterministic roughly-normal values (sum of uniforms from an LCG). */
export function randomArray(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Float32Array.from({ length }, () => uniform() + uniform() + uniform() + uniform() - 2);
}

/** Σ w_i · a_i in float64. */
export function combine(weights: number[], arrays: ArrayLike<number>[]): Float64Array {
  return Float64Array.from({ length: arrays[0].length }, (_, j) => weights.reduce((s, w, i) => s + w * arrays[i][j], 0));
}

/** Deterministic DDIM update from ᾱ to ᾱ_prev: predict x0, re-noise it along eps. PNDM's eq. (9) is the same map. */
export function ddimUpdate(x: ArrayLike<number>, eps: ArrayLike<number>, alpha: number, alphaPrev: number): Float64Array {
  return Float64Array.from({ length: x.length }, (_, i) => {
    const x0 = (x[i] - Math.sqrt(1 - alpha) * eps[i]) / Math.sqrt(alpha);
    return Math.sqrt(alphaPrev) * x0 + Math.sqrt(1 - alphaPrev) * eps[i];
  });
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
