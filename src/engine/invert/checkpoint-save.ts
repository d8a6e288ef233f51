// Saving an inversion checkpoint where the storage may be full. An IndexedDB put that fails leaves the
// previous value in place, so the last saved checkpoint survives; the error says which step that is.
import { isQuotaError } from '../space/kv';
import type { InversionState } from './state';

/** Stores `job` with `state` through `put`; `job.state` becomes `state` only once it is stored. */
export async function saveCheckpoint<J extends { state?: InversionState }>(put: (job: J) => Promise<void>, job: J, state: InversionState): Promise<void> {
  try {
    await put({ ...job, state });
  } catch (e) {
    if (!isQuotaError(e)) throw e;
    const kept = job.state?.adam.step;
    throw new Error(
      `storage full: the inversion checkpoint at step ${state.adam.step} could not be saved; ` +
        (kept === undefined ? 'no earlier checkpoint was saved. ' : `the one at step ${kept} is kept and Resume continues from it. `) +
        `Free space (other sites' data, cached models), allow this site persistent storage, or use a normal (not private) browser profile. (${(e as Error).message})`,
    );
  }
  job.state = state;
}
