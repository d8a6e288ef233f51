// The onnxruntime projector against the plain loops: the fixture's space and a synthetic one with D in the
// tens of thousands, in both session layouts and with V cut into several blocks and sessions.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/engine/graph/ir';
import { parseUNetConfig } from '../../src/engine/io/config';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { loraLayout } from '../../src/engine/models/lora';
import * as ortWeb from 'onnxruntime-web';
import { createNodeSession } from '../../src/engine/runtime/node';
import { EngineSession, type OrtModule } from '../../src/engine/runtime/session';
import { Rng } from '../../src/engine/sd/random';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import { planGroups, Projector, type ProjectorOptions } from '../../src/engine/space/projector';
import { Space } from '../../src/engine/space/space';
import { fixturePath, relErr } from '../helpers/fixture';
import { syntheticSpace } from './synthetic';

const runtime = { createSession: createNodeSession };
const KiB = 1024;

/** A Space with random (not orthonormal) V: the products do not care, and it builds fast at large D. */
function largeSpace(d: number, k: number, seed: number): Space {
  const small = syntheticSpace({ d: 16, k: 4, seed });
  const rng = new Rng(seed);
  const std = rng.normals(d).map((x) => (x < 0 ? -0.5 : 0.5) + 0.2 * x);
  return new Space({ ...small.data, v: [rng.normals(d * k).map((x) => x * 0.01)], k, components: k, std, mean: rng.normals(d).map((x) => 0.1 * x) });
}

/** Every product of the projector matches the loops to fp32 rounding. */
async function expectLoops(space: Space, p: Projector, seed: number) {
  const rng = new Rng(seed);
  const c = rng.normals(space.k);
  expect(relErr(await p.theta(c), space.theta(c))).toBeLessThan(1e-5);
  const short = c.subarray(0, Math.max(1, space.k >> 1));
  expect(relErr(await p.theta(short), space.theta(short))).toBeLessThan(1e-5);
  const g = rng.normals(space.size);
  expect(relErr(await p.gradCoef(g), space.gradCoef(g))).toBeLessThan(1e-5);
  const theta = space.theta(c).map((x) => x + 0.3 * rng.normal());
  expect(relErr(await p.coef(theta), space.coef(theta))).toBeLessThan(1e-5);
}

describe('row blocks and sessions', () => {
  it('tiles the rows within the byte limits, blocks never straddling sessions', () => {
    const d = 30011;
    const k = 300;
    const groups = planGroups(d, k, 64 * KiB * 4 * 3, 1000 * KiB * 4);
    let next = 0;
    for (const g of groups) {
      expect(g.start).toBe(next);
      expect((g.end - g.start) * 4 * k).toBeLessThanOrEqual(1000 * KiB * 4);
      let b0 = g.start;
      for (const b of g.blocks) {
        expect(b.start).toBe(b0);
        expect((b.end - b.start) * 4 * k).toBeLessThanOrEqual(64 * KiB * 4 * 3);
        b0 = b.end;
      }
      expect(b0).toBe(g.end);
      next = g.end;
    }
    expect(next).toBe(d);
    // 655 rows per block, 5 blocks per session: 9 full sessions and one of a single 536-row block.
    expect(groups.map((g) => g.blocks.length)).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5, 1]);
    expect(groups[9].end - groups[9].start).toBe(536);
    // The full-size case: k = 10000 at D = 99,648 under the defaults (128 MiB blocks, 1 GiB sessions).
    const full = planGroups(99648, 10000);
    expect(full.length).toBe(4);
    expect(Math.max(...full.flatMap((g) => g.blocks.map((b) => (b.end - b.start) * 40000)))).toBeLessThanOrEqual(128 * 2 ** 20);
  });

  it('refuses limits that cannot hold one row', () => {
    expect(() => planGroups(100, 1000, 3999)).toThrow(/one row of V_k is 4000 bytes \(k = 1000\)/);
    expect(() => planGroups(100, 10, 4096, 1024)).toThrow(/maxBlockBytes 4096 must hold a row and fit maxSessionBytes 1024/);
  });
});

describe('projector on onnxruntime-node vs the loops', () => {
  let fixture: Space;
  beforeAll(async () => {
    const layout = loraLayout(parseUNetConfig(await folderFromPath(fixturePath()).json('unet/config.json')));
    fixture = await loadSpace(spaceFolderFromPath(fixturePath('w2w-space')), { layout });
  });

  const layouts: [string, ProjectorOptions][] = [
    ['split, one block', {}],
    ['fused, 7 blocks, 2 per session', { layout: 'fused' }],
  ];
  for (const [name, opts] of layouts)
    it(`fixture space: ${name}`, async () => {
      const block = 4 * fixture.k * Math.ceil(fixture.size / 7);
      const o = opts.layout === 'fused' ? { ...opts, maxBlockBytes: block, maxSessionBytes: 2 * block } : opts;
      const p = Projector.create(runtime, fixture.data, o);
      expect(p.sessionCount).toBe(opts.layout === 'fused' ? 4 : 1);
      await expectLoops(fixture, p, 3);
      await p.release();
      await expect(p.theta([1])).rejects.toThrow(/used after release/);
    });

  it('synthetic D = 30011, k = 300: 9 blocks over 3 sessions (the last one short)', async () => {
    const space = largeSpace(30011, 300, 7);
    const p = Projector.create(runtime, space.data, { maxBlockBytes: 4 * 2 ** 20, maxSessionBytes: 12 * 2 ** 20 });
    expect(p.sessionCount).toBe(3);
    await expectLoops(space, p, 11);
    await p.release();
  }, 120_000);

  it('the same graphs on onnxruntime-web (wasm provider, in Node): 2 sessions', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const web = { createSession: (g: Graph) => EngineSession.create(ortWeb as unknown as OrtModule, g, { executionProviders: ['wasm'] }) };
    const space = largeSpace(20011, 100, 5);
    const p = Projector.create(web, space.data, { maxBlockBytes: 2 ** 20, maxSessionBytes: 2 ** 22 });
    expect(p.sessionCount).toBe(2);
    await expectLoops(space, p, 13);
    await p.release();
  }, 120_000);

  it('Space: async products use the attached projector, the loops otherwise; same errors', async () => {
    const space = syntheticSpace({ d: 301, k: 9 });
    const rng = new Rng(2);
    const c = rng.normals(9);
    const g = rng.normals(301);
    expect(Array.from(await space.thetaAsync(c))).toEqual(Array.from(space.theta(c)));
    const p = await space.useRuntime(runtime);
    expect(space.projector).toBe(p);
    expect(relErr(await space.thetaAsync(c), space.theta(c))).toBeLessThan(1e-5);
    expect(relErr(await space.gradCoefAsync(g), space.gradCoef(g))).toBeLessThan(1e-5);
    expect(relErr(await space.coefAsync(space.theta(c)), c)).toBeLessThan(1e-5);
    await expect(space.thetaAsync(new Float32Array(10))).rejects.toThrow(/10 entries, the space holds only 9 components/);
    await expect(space.gradCoefAsync(new Float32Array(300))).rejects.toThrow(/gradient has 300 values, the space's std has 301/);
    await expect(space.coefAsync(new Float32Array(302))).rejects.toThrow(/weight vector has 302 values, the space's mean has 301/);
    await space.detachProjector();
    expect(space.projector).toBeUndefined();
    await expect(p.gradCoef(g)).rejects.toThrow(/used after release/);
    expect(Array.from(await space.gradCoefAsync(g))).toEqual(Array.from(space.gradCoef(g)));
  });

  it('a V_k that does not match D × k is an error naming both', () => {
    const { data } = syntheticSpace({ d: 50, k: 4 });
    expect(() => Projector.create(runtime, { ...data, v: [data.v[0].subarray(4)] })).toThrow(/V_k has 49 rows of 4 in 1 block\(s\), expected 50/);
  });
});
