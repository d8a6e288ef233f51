// The onnxruntime projector against the plain loops: the fixture's space and a synthetic one with D in the
// tens of thousands, fp32 and fp16 storage, V cut into several blocks, one copy in a weight store.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/engine/graph/ir';
import { parseUNetConfig } from '../../src/engine/io/config';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { loraLayout } from '../../src/engine/models/lora';
import * as ortWeb from 'onnxruntime-web';
import { createNodeSession, nodeOrt } from '../../src/engine/runtime/node';
import { EngineSession, type OrtModule } from '../../src/engine/runtime/session';
import { Rng } from '../../src/engine/sd/random';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import { BASIS_BLOCK_BYTES, basisBlocks, isBasisSource, type BasisStorage } from '../../src/engine/space/basis-graph';
import { Projector } from '../../src/engine/space/projector';
import { HostWeights } from '../../src/engine/runtime/host-weights';
import { Space } from '../../src/engine/space/space';
import { fixturePath, relErr } from '../helpers/fixture';
import { syntheticSpace } from './synthetic';

const runtime = { createSession: createNodeSession };

/** A Space with random (not orthonormal) V: the products do not care, and it builds fast at large D. */
function largeSpace(d: number, k: number, seed: number): Space {
  const small = syntheticSpace({ d: 16, k: 4, seed });
  const rng = new Rng(seed);
  const std = rng.normals(d).map((x) => (x < 0 ? -0.5 : 0.5) + 0.2 * x);
  return new Space({ ...small.data, v: [rng.normals(d * k).map((x) => x * 0.01)], k, components: k, std, mean: rng.normals(d).map((x) => 0.1 * x) });
}

/** Every product of the projector matches the loops to fp32 rounding. */
async function expectLoops(space: Space, p: Projector, seed: number, tol: number) {
  const rng = new Rng(seed);
  const c = rng.normals(space.k);
  expect(relErr(await p.theta(c), space.theta(c))).toBeLessThan(tol);
  const short = c.subarray(0, Math.max(1, space.k >> 1));
  expect(relErr(await p.theta(short), space.theta(short))).toBeLessThan(tol);
  const g = rng.normals(space.size);
  expect(relErr(await p.gradCoef(g), space.gradCoef(g))).toBeLessThan(tol);
  const theta = space.theta(c).map((x) => x + 0.3 * rng.normal());
  expect(relErr(await p.coef(theta), space.coef(theta))).toBeLessThan(tol);
}

describe('V_k row blocks', () => {
  it('tiles the rows within the byte limit, never straddling the space blocks', () => {
    const d = 30011;
    const k = 300;
    const blocks = basisBlocks(d, k, 'float32', 655 * 4 * k, 10000);
    let next = 0;
    for (const b of blocks) {
      expect(b.start).toBe(next);
      expect(Math.floor(b.start / 10000)).toBe(Math.floor((b.end - 1) / 10000));
      expect((b.end - b.start) * 4 * k).toBeLessThanOrEqual(655 * 4 * k);
      next = b.end;
    }
    expect(next).toBe(d);
    // 10000-row source blocks cut at 655 rows: 15 full + one of 175 per source block, 11 rows at the end.
    expect(blocks.length).toBe(3 * 16 + 1);
    expect(blocks.slice(14, 17).map((b) => b.end - b.start)).toEqual([655, 175, 655]);
    // float16 halves the bytes per row: twice the rows per block.
    expect(basisBlocks(d, k, 'float16', 655 * 4 * k, d)[0].end).toBe(1310);
    // The full-size case: k = 10000 at D = 99,648 in 128 MiB blocks: 30 of fp32, 15 of fp16.
    expect(basisBlocks(99648, 10000, 'float32', BASIS_BLOCK_BYTES, 99648).length).toBe(30);
    expect(basisBlocks(99648, 10000, 'float16', BASIS_BLOCK_BYTES, 99648).length).toBe(15);
  });

  it('refuses a block that cannot hold one row', () => {
    expect(() => basisBlocks(100, 1000, 'float32', 3999, 100)).toThrow(/one row of V_k \(k = 1000, float32\) is larger than a block of 3999 bytes/);
  });
});

describe('projector on onnxruntime-node vs the loops', () => {
  let fixture: Space;
  beforeAll(async () => {
    const layout = loraLayout(parseUNetConfig(await folderFromPath(fixturePath()).json('unet/config.json')));
    fixture = await loadSpace(spaceFolderFromPath(fixturePath('w2w-space')), { layout });
  });

  const options: [string, BasisStorage, number, number][] = [
    ['fp32, one block', 'float32', 1, 1e-5],
    ['fp32, 7 blocks', 'float32', 7, 1e-5],
    ['fp16 storage, 7 blocks', 'float16', 7, 2e-3],
  ];
  for (const [name, storage, blocks, tol] of options)
    it(`fixture space: ${name}`, async () => {
      const maxBlockBytes = (storage === 'float16' ? 2 : 4) * fixture.k * Math.ceil(fixture.size / blocks);
      const p = Projector.create(runtime, fixture.data, { storage, maxBlockBytes });
      expect(basisBlocks(fixture.size, fixture.k, storage, maxBlockBytes, fixture.size).length).toBe(blocks);
      await expectLoops(fixture, p, 3, tol);
      await p.release();
      await expect(p.theta([1])).rejects.toThrow(/used after release/);
    });

  it('synthetic D = 30011, k = 300, blocks of 1 MiB; both products share one copy of V_k in a weight store', async () => {
    const space = largeSpace(30011, 300, 7);
    const store = new HostWeights(nodeOrt, isBasisSource);
    const p = Projector.create({ createSession: (g) => createNodeSession(g, { weights: store }), forget: (s) => store.forget(s) }, space.data, { maxBlockBytes: 2 ** 20 });
    await expectLoops(space, p, 11, 1e-5);
    const held = await store.bytesBySource();
    expect(Object.keys(held)).toEqual([p.basis.source]);
    expect(held[p.basis.source]).toBe(30011 * 300 * 4 + 2 * 30011 * 4);
    await p.release();
    expect(await store.bytesBySource()).toEqual({});
  }, 120_000);

  it('the same graphs on onnxruntime-web (wasm provider, in Node)', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const web = { createSession: (g: Graph) => EngineSession.create(ortWeb as unknown as OrtModule, g, { executionProviders: ['wasm'] }) };
    const space = largeSpace(20011, 100, 5);
    const p = Projector.create(web, space.data, { maxBlockBytes: 2 ** 20 });
    await expectLoops(space, p, 13, 1e-5);
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
