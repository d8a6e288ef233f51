import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/engine/invert/checkpoint-save';
import type { InversionState } from '../../src/engine/invert/state';

const state = (step: number) => ({ adam: { step } }) as InversionState;
const quota = () => Object.assign(new Error('The operation failed because it would cause the application to exceed its storage quota.'), { name: 'QuotaExceededError' });

describe('saveCheckpoint', () => {
  it('stores the job with the new state, then makes it the job\'s state', async () => {
    const stored: unknown[] = [];
    const job: { name: string; state?: InversionState } = { name: 'run', state: state(2) };
    await saveCheckpoint(async (j) => void stored.push(j), job, state(4));
    expect(stored).toEqual([{ name: 'run', state: state(4) }]);
    expect(job.state?.adam.step).toBe(4);
  });

  it('on a full storage names the step kept, and leaves the job at it', async () => {
    const job: { state?: InversionState } = { state: state(2) };
    await expect(saveCheckpoint(() => Promise.reject(quota()), job, state(4))).rejects.toThrow(
      /^storage full: the inversion checkpoint at step 4 could not be saved; the one at step 2 is kept and Resume continues from it\. .*normal \(not private\) browser profile\. \(The operation failed because .*quota\.\)$/,
    );
    expect(job.state?.adam.step).toBe(2);
    await expect(saveCheckpoint(() => Promise.reject(quota()), {}, state(1))).rejects.toThrow(/step 1 could not be saved; no earlier checkpoint was saved\./);
  });

  it('passes other failures through unchanged', async () => {
    const job: { state?: InversionState } = { state: state(2) };
    await expect(saveCheckpoint(() => Promise.reject(new Error('DataCloneError')), job, state(3))).rejects.toThrow(/^DataCloneError$/);
    expect(job.state?.adam.step).toBe(2);
  });
});
