// A lost GPU device: the engine worker reports it (or a call fails with "GPU device lost"). The page replaces
// the worker with a fresh one, loads the model again from the cache, hands it the space and the open photo,
// and the job that was running starts again: an inversion from its last checkpoint, a generation as it was.
import { DEVICE_LOST } from '../../../workers/protocol';
import { getInvert } from '../invert-store';
import { setApp } from '../store';
import { engineGeneration, EngineRestarted, engineWorker, restartEngine, setDeviceLostHandler } from '../workers';
import { reopenModel } from './model';
import { shareSpaceWithEngine } from './space';

// A GPU that keeps failing is not retried forever.
const MAX_RECOVERIES = 3;

let recovery: Promise<void> = Promise.resolve();
/** Jobs running under surviveDeviceLoss (the note says "resuming" when there are any). */
let jobs = 0;

const message = (e: unknown) => (e as Error)?.message ?? String(e);

export const isDeviceLoss = (e: unknown): boolean => e instanceof EngineRestarted || message(e).startsWith(DEVICE_LOST);

/** Replaces the engine worker `fromGeneration` (once: later reports of the same loss wait for that recovery). */
export function recoverEngine(fromGeneration: number): Promise<void> {
  if (fromGeneration < engineGeneration()) return recovery;
  setApp({ deviceNote: 'GPU device lost; rebuilding sessions…' });
  restartEngine();
  recovery = (async () => {
    await reopenModel();
    await shareSpaceWithEngine();
    const photo = getInvert().photo;
    if (photo) await engineWorker().openPhoto(photo.file, photo.name);
    setApp({ deviceNote: jobs ? 'GPU device lost; sessions rebuilt, resuming…' : 'GPU device lost; sessions rebuilt.' });
  })();
  recovery.catch((e) => setApp({ deviceNote: `GPU device lost, and the model could not be loaded again: ${message(e)}` }));
  return recovery;
}

/** Runs a job on the engine worker; if the device is lost meanwhile, runs `again` on the fresh worker. */
export async function surviveDeviceLoss<T>(first: () => Promise<T>, again: () => Promise<T>): Promise<T> {
  jobs++;
  try {
    for (let attempt = 0, run = first; ; attempt++, run = again) {
      const gen = engineGeneration();
      try {
        const out = await run();
        if (attempt > 0) setApp({ deviceNote: 'GPU device lost; sessions rebuilt, and the job resumed and finished.' });
        return out;
      } catch (e) {
        if (!isDeviceLoss(e) || attempt >= MAX_RECOVERIES) throw e;
        await recoverEngine(gen);
      }
    }
  } finally {
    jobs--;
  }
}

/** At startup: recover when the engine worker reports a loss. */
export function installDeviceRecovery(): void {
  setDeviceLostHandler((_reason, gen) => void recoverEngine(gen).catch(() => undefined));
}
