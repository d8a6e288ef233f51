// What the engine is preparing: a session builds before its first run (for the full model on a slow adapter,
// minutes), and the header says which while a job waits on it.
import type { SessionEvent } from '../../engine/sd/stable-diffusion';
import { describeSession } from '../session-names';
import { setApp } from '../store';
import { setSessionHandler } from '../workers';

/** At startup: keep the set of sessions being built in the store. */
export function installSessionStatus(): void {
  const building = new Set<string>();
  setSessionHandler((e: SessionEvent) => {
    if (e.building) building.add(e.key);
    else building.delete(e.key);
    setApp({ preparing: [...building].map(describeSession) });
  });
}
