// Builds the sampler for a diffusers scheduler_config.json, or another supported one from the same
// config (the base model ships PNDM; DDIM is an option).

import { computeAlphasCumprod } from './betas';
import { DdimScheduler } from './ddim';
import { PndmScheduler } from './pndm';
import type { Scheduler } from './scheduler';
import { readSchedulerSettings, schedulerNameOf, type RawSchedulerConfig, type SchedulerName } from './settings';

export type { Scheduler } from './scheduler';
export type { RawSchedulerConfig, SchedulerName, SchedulerSettings } from './settings';
export { readSchedulerSettings, schedulerNameOf } from './settings';
export { addNoise } from './noise';
export { computeAlphasCumprod, computeBetas } from './betas';
export { PndmScheduler } from './pndm';
export { DdimScheduler } from './ddim';

export const schedulerNames: readonly SchedulerName[] = ['pndm', 'ddim'];

/** Validates a user-given name such as a `--scheduler` option. */
export function parseSchedulerName(name: string): SchedulerName {
  const found = schedulerNames.find((s) => s === name.toLowerCase());
  if (!found) throw new Error(`unknown scheduler ${JSON.stringify(name)}; choose one of ${schedulerNames.join(', ')}`);
  return found;
}

/**
 * A fresh scheduler for one run of `numInferenceSteps` steps. `config` is the parsed
 * scheduler_config.json; `name` overrides the class it names, keeping its betas and spacing.
 */
export function createScheduler(config: RawSchedulerConfig, numInferenceSteps: number, name?: SchedulerName): Scheduler {
  const kind = name ?? schedulerNameOf(config);
  const settings = readSchedulerSettings(config, kind);
  return kind === 'pndm' ? new PndmScheduler(settings, numInferenceSteps) : new DdimScheduler(settings, numInferenceSteps);
}

/** ᾱ_t of the config's beta schedule (training/inversion noise, independent of the sampler). */
export function alphasCumprodFromConfig(config: RawSchedulerConfig): Float32Array {
  return computeAlphasCumprod(readSchedulerSettings(config, 'pndm'));
}
