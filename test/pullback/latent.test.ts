// The pullback metric in x_t on the tiny-sd-a fixture: h, JVP/VJP checks, the subspace iteration
// against the fixture's dense autograd SVD and against our own dense Jacobian on an 8×8 case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../src/cli/node-model';
import { MidJacobian, type PullbackPoint } from '../../src/engine/pullback/jacobian';
import { dot, norm, principalAngles, type Vec } from '../../src/engine/pullback/linalg';
import { topEigen } from '../../src/engine/pullback/subspace';
import { f32, type HostTensor } from '../../src/engine/runtime/tensor';
import { Rng } from '../../src/engine/sd/random';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';
import { denseColumns, fourthOrderDiff, topSingular } from './dense';
import { fixtureSpace, fixtureTheta } from './theta';

let sd: StableDiffusion;
let point: PullbackPoint;
let theta: Float32Array;
let expected: { h: Float32Array; values: Float32Array; directions: Vec[] };

beforeAll(async () => {
  const pb = await openFixture('pullback.safetensors');
  sd = await openModel(fixturePath());
  const [x, t, text] = await Promise.all(['pullback.x_t', 'pullback.t', 'pullback.text'].map((k) => tensor(pb, k)));
  point = { sample: x, timestep: Number((t.data as BigInt64Array)[0]), text };
  theta = await fixtureTheta(pb, await fixtureSpace());
  const dirs = await pb.readFloat32('pullback.directions');
  const dim = dirs.length / 4;
  expected = {
    h: await pb.readFloat32('pullback.h'),
    values: await pb.readFloat32('pullback.singular_values'),
    directions: [0, 1, 2, 3].map((i) => Float64Array.from(dirs.subarray(i * dim, (i + 1) * dim))),
  };
});
afterAll(() => sd?.release());

const unit = (n: number, seed: number): Vec => {
  const v = Float64Array.from(new Rng(seed).normals(n));
  const s = norm(v);
  return v.map((x) => x / s);
};
const moved = (x: HostTensor, v: ArrayLike<number>, s: number): HostTensor =>
  f32(x.shape, (x.data as Float32Array).map((a, i) => a + s * v[i]));

describe('J = ∂h/∂x_t at the fixture point', () => {
  let jac: MidJacobian;
  beforeAll(() => {
    jac = MidJacobian.latent(sd, point, theta, 6);
  });

  it('computes h = the mid-block output', async () => {
    expect(relErr(await jac.h(), expected.h)).toBeLessThan(1e-4);
  });

  it('gives JVPs that match central differences and VJPs that are their adjoints', async () => {
    const v = unit(jac.dim, 1);
    const [jv] = await jac.jvp([v]);
    // Fourth-order central differences of float32 h along a unit v: rounding grows as the step shrinks
    // (3e-3 → 1.2e-2 relative error), truncation as it grows; 0.1 sits near the bottom (~5e-4).
    const hAt = (s: number) => MidJacobian.latent(sd, { ...point, sample: moved(point.sample, v, s) }, theta).h();
    expect(relErr(await fourthOrderDiff(hAt, 0.1), jv)).toBeLessThan(2e-3);

    const u = unit(jv.length, 2);
    const [jtu] = await jac.vjp([u]);
    expect(Math.abs(dot(u, jv) - dot(jtu, v)) / (norm(u) * norm(jv))).toBeLessThan(1e-5);
  });

  it('finds the top singular values and subspace of the reference SVD', async () => {
    const r = await topEigen((b) => jac.metric(b), jac.dim, { n: 4, seed: 1 });
    expect(r.converged).toBe(true);
    expect(r.iterations).toBeLessThanOrEqual(50);
    expect(relErr(r.values, expected.values)).toBeLessThan(1e-3);
    expect(Math.max(...principalAngles(r.vectors, expected.directions))).toBeLessThan(1e-2);
    // Moving along the top direction changes h more than moving along random unit directions.
    const h0 = await jac.h();
    const change = async (v: Vec) => {
      const h = await MidJacobian.latent(sd, { ...point, sample: moved(point.sample, v, 0.05) }, theta).h();
      return norm(h.map((a, i) => a - h0[i]));
    };
    const along = await change(r.vectors[0]);
    for (let seed = 10; seed < 15; seed++) expect(along).toBeGreaterThan(2 * (await change(unit(jac.dim, seed))));
  });
});

it('matches the SVD of a dense Jacobian built column by column with JVPs (8×8 latent)', async () => {
  const sample = f32([1, 4, 8, 8], new Rng(5).normals(256));
  const jac = MidJacobian.latent(sd, { ...point, sample }, theta, 64);
  const dense = topSingular(await denseColumns(jac), 4);
  const r = await topEigen((b) => jac.metric(b), jac.dim, { n: 4, seed: 2 });
  expect(r.converged).toBe(true);
  expect(relErr(r.values, dense.values)).toBeLessThan(1e-3);
  expect(Math.max(...principalAngles(r.vectors, dense.vectors))).toBeLessThan(1e-2);
});
