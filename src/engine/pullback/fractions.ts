// Where along a trajectory the pullback directions are taken, as fractions of T. A module without runtime
// imports so the page can show the defaults without pulling in the engine.
import type { Scheduler } from '../schedulers/scheduler';

/** Default edit time: t = 0.65·T, within Park et al.'s 0.6–0.7 T. */
export const EDIT_FRACTION = 0.65;

/** Identity directions sum JᵀJ over points at these fractions of T by default. */
export const IDENTITY_FRACTIONS = [EDIT_FRACTION, 0.45];

/**
 * The timesteps at fractions of T: t = round(f·T), where T is the scheduler's num_train_timesteps (the length
 * of its ᾱ table; 1000 for SD 1.5, so 0.65·T = 650). Not the trajectory's first timestep (981 for 50 PNDM
 * steps): T is the model's, so a fraction names the same timestep whatever the step count or scheduler.
 * Every caller (Create screen, Directions screen, CLI) goes through here.
 */
export function timestepsAt(fractions: readonly number[], scheduler: Pick<Scheduler, 'alphasCumprod'>): number[] {
  const T = scheduler.alphasCumprod.length;
  return fractions.map((f) => {
    if (!(f > 0 && f < 1)) throw new Error(`directions: t must be a fraction of T in (0, 1), got ${f}`);
    return Math.round(f * T);
  });
}
