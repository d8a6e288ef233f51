// The pullback metric in w2w coefficient space on the tiny-sd-a fixture (its 48-component space):
// J = ∂h/∂c through θ = (c V_kᵀ) ⊙ std + mean, against the fixture's dense autograd SVD.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openModel } from '../../src/cli/node-model';
import { coefficientDirections, cosineTable } from '../../src/engine/pullback/directions';
import { MidJacobian, type PullbackPoint } from '../../src/engine/pullback/jacobian';
import { dot, norm, principalAngles, type Vec } from '../../src/engine/pullback/linalg';
import { f32 } from '../../src/engine/runtime/tensor';
import { Rng } from '../../src/engine/sd/random';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import type { Space } from '../../src/engine/space/space';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';
import { fourthOrderDiff } from './dense';
import { fixtureSpace } from './theta';

let sd: StableDiffusion;
let space: Space;
let point: PullbackPoint;
let coef: Float32Array;
let jac: MidJacobian;

beforeAll(async () => {
  const pb = await openFixture('pullback.safetensors');
  sd = await openModel(fixturePath());
  space = await fixtureSpace();
  const [x, t, text] = await Promise.all(['pullback.x_t', 'pullback.t', 'pullback.text'].map((k) => tensor(pb, k)));
  point = { sample: x, timestep: Number((t.data as BigInt64Array)[0]), text };
  coef = await pb.readFloat32('pullback.coef');
  jac = MidJacobian.coefficients(sd, [point], coef, space);
});
afterAll(() => sd?.release());

const unit = (n: number, seed: number): Vec => {
  const v = Float64Array.from(new Rng(seed).normals(n));
  const s = norm(v);
  return v.map((x) => x / s);
};
const hAt = (c: ArrayLike<number>) => MidJacobian.coefficients(sd, [point], c, space).h();
const shifted = (v: ArrayLike<number>, s: number) => Float32Array.from(coef, (x, i) => x + s * v[i]);

it('computes h at θ(pullback.coef) through the space', async () => {
  const pb = await openFixture('pullback.safetensors');
  expect(jac.dim).toBe(48);
  const h = await jac.h();
  expect(relErr(h, await pb.readFloat32('pullback.h'))).toBeLessThan(1e-4);
  // Unlike lora.flat (see docs/directions.md), θ(pullback.coef) is well conditioned: one float32 rounding step on every
  // 7th entry moves h by ~2e-6 relative, so the fixture's values are reproducible in float32.
  const theta = space.theta(coef).map((v, i) => (i % 7 ? v : Math.fround(v * (1 + 1e-7))));
  const nudged = await MidJacobian.latent(sd, point, theta).h();
  expect(relErr(nudged, h)).toBeLessThan(1e-5);
});

it('gives JVPs that match central differences and VJPs that are their adjoints', async () => {
  const v = unit(48, 3);
  const [jv] = await jac.jvp([v]);
  // h curves strongly in c: the truncation error of central differences is 1.5e-2 at step 0.03, 0.12 at
  // 0.1; fourth order at 0.01 sits below float32 rounding (~3e-4).
  const numeric = await fourthOrderDiff((s) => hAt(shifted(v, s)), 0.01);
  expect(relErr(numeric, jv)).toBeLessThan(2e-3);
  const u = unit(jv.length, 4);
  const [jtu] = await jac.vjp([u]);
  expect(Math.abs(dot(u, jv) - dot(jtu, v)) / (norm(u) * norm(jv))).toBeLessThan(1e-5);
});

it('finds the reference top singular values and subspace of ∂h/∂c; the top direction moves h most', async () => {
  const pb = await openFixture('pullback.safetensors');
  const expectedDirs = await pb.readFloat32('pullback.coef_directions');
  const r = await coefficientDirections(sd, [point], coef, space, { n: 4, seed: 1 });
  expect(r.converged).toBe(true);
  expect(relErr(r.values, await pb.readFloat32('pullback.coef_singular_values'))).toBeLessThan(1e-3);
  const angles = principalAngles(r.vectors, [0, 1, 2, 3].map((i) => expectedDirs.subarray(i * 48, (i + 1) * 48)));
  expect(Math.max(...angles)).toBeLessThan(1e-2);

  const h0 = await jac.h();
  const change = async (v: ArrayLike<number>) => norm((await hAt(shifted(v, 0.1))).map((a, i) => a - h0[i]));
  const along = await change(r.vectors[0]);
  for (let seed = 10; seed < 14; seed++) expect(along).toBeGreaterThan(1.5 * (await change(unit(48, seed))));
});

it('sums the metric over points and tables cosines against labelled directions', async () => {
  const other: PullbackPoint = { ...point, sample: f32(point.sample.shape, new Rng(9).normals(1024)), timestep: 401 };
  const v = unit(48, 5);
  const [both] = await MidJacobian.coefficients(sd, [point, other], coef, space).metric([v]);
  const [a] = await jac.metric([v]);
  const [b] = await MidJacobian.coefficients(sd, [other], coef, space).metric([v]);
  // One batched run vs two: float32 sums in another order (~1e-5); leaving a point out would be O(1).
  expect(relErr(both, a.map((x, i) => x + b[i]))).toBeLessThan(1e-4);
  expect(relErr(both, a)).toBeGreaterThan(1e-2);

  const labelled = space.data.directions;
  const young = labelled.get('Young')!;
  const { names, cosines } = cosineTable([Float64Array.from({ length: 48 }, (_, i) => (i < young.length ? young[i] : 0)), v], labelled);
  expect(names).toEqual([...labelled.keys()]);
  expect(cosines[names.indexOf('Young')]).toBeCloseTo(1, 12);
  const m = space.directionK('Male');
  expect(cosines[names.length + names.indexOf('Male')]).toBeCloseTo(dot(v, m) / norm(m), 12);
});

it('over the first dims coefficients only: the metric is JᵀJ\'s leading block, the directions are zero beyond it', async () => {
  const dims = 16;
  const sub = MidJacobian.coefficients(sd, [point], coef, space, dims);
  expect(sub.dim).toBe(dims);
  const e = (n: number, i: number) => Float64Array.from({ length: n }, (_, j) => (j === i ? 1 : 0));
  const [block] = await sub.metric([e(dims, 3)]);
  const [full] = await jac.metric([e(space.k, 3)]);
  expect(relErr(block, full.subarray(0, dims))).toBeLessThan(1e-5);
  const r = await coefficientDirections(sd, [point], coef, space, { n: 2, seed: 1, dims });
  expect(r.vectors.map((v) => v.length)).toEqual([space.k, space.k]);
  expect(r.vectors.every((v) => v.subarray(dims).every((x) => x === 0))).toBe(true);
  // On a subspace the largest singular value can only shrink.
  const top = (await openFixture('pullback.safetensors')).readFloat32('pullback.coef_singular_values');
  expect(r.values[0]).toBeLessThanOrEqual((await top)[0] * (1 + 1e-4));
  expect(() => MidJacobian.coefficients(sd, [point], coef, space, space.k + 1)).toThrow(/must be in 1\.\.48/);
});
