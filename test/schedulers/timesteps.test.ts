import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../../src/engine/io/safetensors';
import { openPath } from '../../src/engine/io/source-node';
import { createScheduler, parseSchedulerName, readSchedulerSettings, schedulerNames } from '../../src/engine/schedulers';
import { roundHalfEven, spacedTimesteps } from '../../src/engine/schedulers/timesteps';
import { sdConfig, TINY } from './reference';

const range = (from: number, to: number, step: number) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('timesteps', () => {
  it('match the reference pipeline for 6 steps (PNDM and DDIM)', async () => {
    const file = await openSafetensors(await openPath(path.join(TINY, 'reference.safetensors')));
    const pndm = Array.from(await file.readInt64('pipe.pndm.timesteps'), Number);
    const ddim = Array.from(await file.readInt64('pipe.ddim.timesteps'), Number);
    expect(pndm).toHaveLength(7);
    expect(ddim).toHaveLength(6);
    expect(createScheduler(sdConfig, 6).timesteps).toEqual(pndm);
    expect(createScheduler(sdConfig, 6, 'ddim').timesteps).toEqual(ddim);
  });

  it('give 51 PLMS evaluations for 50 steps, repeating the second timestep', () => {
    const { timesteps, name } = createScheduler(sdConfig, 50);
    expect(name).toBe('pndm');
    expect(timesteps).toHaveLength(51);
    expect(timesteps.slice(0, 4)).toEqual([981, 961, 961, 941]);
    expect(timesteps).toEqual([981, ...range(1, 961, 20).reverse().flatMap((t) => (t === 961 ? [t, t] : [t]))]);
    expect(timesteps.at(-1)).toBe(1);
    expect(createScheduler(sdConfig, 50, 'ddim').timesteps).toEqual(range(1, 981, 20).reverse());
  });

  it('follow each timestep_spacing with numpy rounding (halves to even)', () => {
    const base = (spacing: string, n: number, offset = 0) =>
      spacedTimesteps(readSchedulerSettings({ timestep_spacing: spacing, steps_offset: offset }, 'ddim'), n);
    // linspace(0, 999, 7) = 0, 166.5, 333, 499.5, 666, 832.5, 999.
    expect(base('linspace', 7)).toEqual([0, 166, 333, 500, 666, 832, 999]);
    expect(base('linspace', 1)).toEqual([0]);
    // arange(1000, 0, -166.67) = 1000, 833.3, 666.7, 500, 333.3, 166.7, rounded, minus one.
    expect(base('trailing', 6)).toEqual([166, 332, 499, 666, 832, 999]);
    expect(base('leading', 6, 1)).toEqual([1, 167, 333, 499, 665, 831]);
    expect(base('leading', 3)).toEqual([0, 333, 666]);
    expect(createScheduler({ ...sdConfig, timestep_spacing: 'trailing' }, 6).timesteps).toEqual([999, 832, 832, 666, 499, 332, 166]);
    expect(createScheduler({ ...sdConfig, timestep_spacing: 'linspace' }, 7, 'ddim').timesteps).toEqual([999, 832, 666, 500, 333, 166, 0]);
    expect([0.5, 1.5, 2.5, -2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -2, 2, 3]);
  });

  it('run four Runge-Kutta steps first when PNDM does not skip them', () => {
    const { timesteps } = createScheduler({ ...sdConfig, skip_prk_steps: false }, 50);
    expect(timesteps.slice(0, 12)).toEqual([981, 971, 971, 961, 961, 951, 951, 941, 941, 931, 931, 921]);
    expect(timesteps.slice(12)).toEqual(range(1, 921, 20).reverse());
  });

  it('reject bad step counts and unknown schedulers', () => {
    expect(() => createScheduler(sdConfig, 0)).toThrow(/inference steps/);
    expect(() => createScheduler(sdConfig, 1001, 'ddim')).toThrow(/inference steps/);
    expect(() => createScheduler(sdConfig, 2.5)).toThrow(/inference steps/);
    expect(() => createScheduler({ ...sdConfig, _class_name: 'EulerDiscreteScheduler' }, 10)).toThrow(/unsupported scheduler/);
    expect(() => createScheduler({ ...sdConfig, timestep_spacing: 'sometimes' }, 10)).toThrow(/timestep_spacing/);
    expect(schedulerNames).toEqual(['pndm', 'ddim']);
    expect(parseSchedulerName('DDIM')).toBe('ddim');
    expect(() => parseSchedulerName('euler')).toThrow(/choose one of pndm, ddim/);
    expect(createScheduler({ ...sdConfig, _class_name: 'DDIMScheduler' }, 6).name).toBe('ddim');
  });
});
