// One meaning of "t = f·T": T is the scheduler's num_train_timesteps (1000 here), so the Create screen's
// "Discover directions" (workers/directions-job.ts) and the Directions screen (workers/directions.ts) take
// their points at the same timesteps for the same settings.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { identityDirections } from '../../workers/directions-job';
import { directionsApi } from '../../workers/directions';
import { JobGate } from '../../workers/jobs';
import { openModel } from '../../src/cli/node-model';
import { IDENTITY_FRACTIONS, timestepsAt } from '../../src/engine/pullback/fractions';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import type { Space } from '../../src/engine/space/space';
import { fixturePath } from '../helpers/fixture';
import { fixtureSpace } from './theta';

let sd: StableDiffusion;
let space: Space;
beforeAll(async () => {
  sd = await openModel(fixturePath());
  space = await fixtureSpace();
});
afterAll(() => sd?.release());

it('maps fractions to round(f·num_train_timesteps), whatever the step count or scheduler', () => {
  expect(sd.scheduler(50).timesteps[0]).toBe(981); // the first sampled timestep is not T
  for (const s of [sd.scheduler(1), sd.scheduler(50), sd.scheduler(10, 'ddim'), sd.scheduler(7, 'pndm')])
    expect(timestepsAt(IDENTITY_FRACTIONS, s)).toEqual([650, 450]);
  expect(timestepsAt([0.001, 0.999], sd.scheduler(1))).toEqual([1, 999]);
  for (const f of [0, 1, -0.5, Number.NaN])
    expect(() => timestepsAt([f], sd.scheduler(1))).toThrow(`t must be a fraction of T in (0, 1), got ${f}`);
});

it('the Create screen and the Directions screen pick the same timesteps and directions for the same settings', async () => {
  // 10 PNDM steps: 901, 801, 801, 701, 601, …; the first ≤ 650 is 601 and the first ≤ 450 is 401. With T taken
  // as the first timestep (901) the Create screen used to ask for 586 and land on 501.
  const gen = { prompt: 'sks person', seed: 3, steps: 10, guidance: 3, width: 64, height: 64 };
  const coef = new Float32Array(space.k);
  const create = await identityDirections(sd, space, { coef, gen, n: 1 }, new AbortController().signal);
  const screen = await directionsApi({ sd: () => sd, space: () => space, jobs: new JobGate() })
    .discoverIdentityDirections(coef, gen, [gen.prompt], { n: 1, fractions: IDENTITY_FRACTIONS });
  expect(create.timesteps).toEqual([601, 401]);
  expect(screen.timesteps).toEqual([601, 401]);
  // Same points, same seed: the same direction.
  expect(screen.values).toEqual(create.values);
  expect(screen.values[0]).toBeGreaterThan(0);
});
