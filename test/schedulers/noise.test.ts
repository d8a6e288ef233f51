import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../../src/engine/io/safetensors';
import { openPath } from '../../src/engine/io/source-node';
import { addNoise, alphasCumprodFromConfig } from '../../src/engine/schedulers';
import { randomArray, relErr, sdConfig, TINY } from './reference';

const alphas = alphasCumprodFromConfig(sdConfig);

describe('addNoise', () => {
  it('is sqrt(abar) x0 + sqrt(1 - abar) eps', () => {
    const x0 = randomArray(256, 3);
    const eps = randomArray(256, 4);
    const a = alphas[500];
    const expected = Float64Array.from(x0, (x, i) => Math.sqrt(a) * x + Math.sqrt(1 - a) * eps[i]);
    expect(relErr(addNoise(x0, eps, 500, alphas), expected)).toBeLessThan(1e-6);
    expect(addNoise(x0, eps, 0, alphas)[0]).toBeCloseTo(x0[0], 1);
  });

  it('takes one timestep per batch item', () => {
    const x0 = randomArray(512, 5);
    const eps = randomArray(512, 6);
    const batched = addNoise(x0, eps, [10, 900], alphas);
    expect(batched.subarray(0, 256)).toEqual(addNoise(x0.subarray(0, 256), eps.subarray(0, 256), 10, alphas));
    expect(batched.subarray(256)).toEqual(addNoise(x0.subarray(256), eps.subarray(256), 900, alphas));
    expect(() => addNoise(x0, eps, [1, 2, 3], alphas)).toThrow(/batch items/);
    expect(() => addNoise(x0, eps.subarray(1), 1, alphas)).toThrow(/eps/);
    expect(() => addNoise(x0, eps, 1000, alphas)).toThrow(/timestep/);
  });

  it('reproduces the inversion fixture: every x_t comes from one x0', async () => {
    const file = await openSafetensors(await openPath(path.join(TINY, 'inversion-eval.safetensors')));
    const xt = await file.readFloat32('x_t');
    const eps = await file.readFloat32('eps');
    const t = Array.from(await file.readInt64('t'), Number);
    const item = xt.length / t.length;
    // Recover x0 from the least noisy item, then noise it again for every timestep.
    const k = t.indexOf(Math.min(...t));
    const a = alphas[t[k]];
    const x0 = Float32Array.from({ length: item }, (_, i) =>
      (xt[k * item + i] - Math.sqrt(1 - a) * eps[k * item + i]) / Math.sqrt(a));
    const batchX0 = new Float32Array(xt.length);
    t.forEach((_, b) => batchX0.set(x0, b * item));
    expect(relErr(addNoise(batchX0, eps, t, alphas), xt)).toBeLessThan(1e-5);
  });
});
