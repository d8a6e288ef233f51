// Inference timesteps per diffusers' timestep_spacing, reproducing numpy's float arithmetic and
// round-half-to-even so that every spacing/step count gives the reference's integers.

import type { SchedulerSettings } from './settings';

/** numpy.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** numpy.linspace(start, stop, num) with endpoint. */
function npLinspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** numpy.arange(start, stop, step) for floats: length ceil((stop-start)/step), values start + i·(a[1]−a[0]). */
function npArange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const delta = start + step - start;
  return Array.from({ length }, (_, i) => (i === 0 ? start : i === 1 ? start + step : start + i * delta));
}

/** The inference timesteps in ascending order (diffusers' PNDM `_timesteps`; DDIM uses them reversed). */
export function spacedTimesteps(settings: SchedulerSettings, numInferenceSteps: number): number[] {
  const n = settings.numTrainTimesteps;
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1 || numInferenceSteps > n) {
    throw new Error(`number of inference steps must be an integer in 1..${n}, got ${numInferenceSteps}`);
  }
  switch (settings.timestepSpacing) {
    case 'linspace':
      return npLinspace(0, n - 1, numInferenceSteps).map(roundHalfEven);
    case 'leading': {
      const ratio = Math.floor(n / numInferenceSteps);
      return Array.from({ length: numInferenceSteps }, (_, i) => i * ratio + settings.stepsOffset);
    }
    case 'trailing':
      return npArange(n, 0, -n / numInferenceSteps).map((t) => roundHalfEven(t) - 1).reverse();
  }
}
