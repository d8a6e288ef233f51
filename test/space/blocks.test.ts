// V_k as row blocks through every consumer, at small sizes with a small maxBlockBytes: the products give the
// same bits as on one array, the projector takes the blocks as they are, the store reads back into any
// block size, loading cuts V.pt into blocks, and the worker's sharing puts each block in shared memory.
import { afterEach, describe, expect, it } from 'vitest';
import { checkBlocks, joinBlocks, toBlocks } from '../../src/engine/io/row-blocks';
import { createNodeSession } from '../../src/engine/runtime/node';
import { Rng } from '../../src/engine/sd/random';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { memoryKV } from '../../src/engine/space/kv';
import { loadSpace } from '../../src/engine/space/load';
import { coefGrad, coefToTheta, projectRows, thetaToCoef } from '../../src/engine/space/math';
import { basisBlocks } from '../../src/engine/space/basis-graph';
import { Projector } from '../../src/engine/space/projector';
import { Space } from '../../src/engine/space/space';
import { SpaceStore } from '../../src/engine/space/store';
import { shareSpace, sharedAlloc } from '../../workers/shared-space';
import { fixturePath, relErr } from '../helpers/fixture';
import { syntheticSpace } from './synthetic';

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: Float32Array, b: Float32Array) => expect(bits(a).equals(bits(b))).toBe(true);

describe('products on row blocks', () => {
  const d = 301;
  const k = 7;
  const one = syntheticSpace({ d, k, seed: 3 });
  const v = joinBlocks(one.data.v);
  const rng = new Rng(9);
  const c = rng.normals(k);
  const x = rng.normals(d);
  const { std, mean } = one.data;

  // 5 rows (odd: row pairs straddle blocks), 2 rows, 1 row per block, and one block.
  for (const rows of [5, 2, 1, d])
    it(`${rows} row(s) per block: θ, c and ∂L/∂c bit-identical to one array`, () => {
      const blocks = toBlocks(v, k, 4 * k * rows);
      expect(blocks.length).toBe(Math.ceil(d / rows));
      checkBlocks(blocks, d, k, 'V');
      same(coefToTheta(c, blocks, k, std, mean), coefToTheta(c, [v], k, std, mean));
      same(coefToTheta(c.subarray(0, 3), blocks, k, std, mean), coefToTheta(c.subarray(0, 3), [v], k, std, mean));
      same(projectRows(x, blocks, k), projectRows(x, [v], k));
      same(projectRows(x.subarray(0, d - 1), blocks.slice(0, -1).concat(blocks.at(-1)!.subarray(0, -k)), k), projectRows(x.subarray(0, d - 1), [v.subarray(0, -k)], k));
      same(thetaToCoef(x, blocks, k, std, mean), thetaToCoef(x, [v], k, std, mean));
      same(coefGrad(x, blocks, k, std), coefGrad(x, [v], k, std));
      const s = new Space({ ...one.data, v: blocks });
      same(s.coef(s.theta(c)), one.coef(one.theta(c)));
    });

  it('blocks that are not whole rows, unequal or not D rows are refused, naming the counts', () => {
    expect(() => coefToTheta(c, [v.subarray(0, 10)], k, std, mean)).toThrow(/V_k: block 0 has 10 values, not whole rows of 7/);
    expect(() => coefToTheta(c, [v.subarray(0, 14), v.subarray(14, 35), v.subarray(35)], k, std, mean)).toThrow(/block 1 has 21 values, block 0 has 14/);
    expect(() => projectRows(x, [v.subarray(7)], k)).toThrow(/V_k has 300 rows of 7 in 1 block\(s\), expected 301/);
    expect(() => new Space({ ...one.data, v: [v.subarray(7)] })).toThrow(/V_k has 300 rows/);
  });
});

describe('projector on row blocks', () => {
  it('never straddles the space blocks, and matches the loops', async () => {
    const d = 2003;
    const k = 12;
    const space = syntheticSpace({ d, k, seed: 4, maxBlockBytes: 4 * k * 301 });
    expect(space.data.v.length).toBe(7);
    // 301-row source blocks, 100-row weights: 4 per source block (the 4th of 1 row).
    const blocks = basisBlocks(d, k, 'float32', 4 * k * 100, 301);
    expect(blocks.every((b) => Math.floor(b.start / 301) === Math.floor((b.end - 1) / 301))).toBe(true);
    expect(blocks.slice(0, 4).map((b) => b.end - b.start)).toEqual([100, 100, 100, 1]);
    expect(blocks.at(-1)!.end).toBe(d);
    const p = Projector.create({ createSession: createNodeSession }, space.data, { maxBlockBytes: 4 * k * 100 });
    const rng = new Rng(1);
    const c = rng.normals(k);
    const g = rng.normals(d);
    expect(relErr(await p.theta(c), space.theta(c))).toBeLessThan(1e-5);
    expect(relErr(await p.gradCoef(g), space.gradCoef(g))).toBeLessThan(1e-5);
    await p.release();
  });
});

describe('store and loading with row blocks', () => {
  it('the store reads back into any block size, bit for bit (fp32) and within fp16 rounding', async () => {
    const space = syntheticSpace({ d: 500, k: 9, seed: 5, maxBlockBytes: 4 * 9 * 33 });
    const store = new SpaceStore(memoryKV());
    await store.save('s', space);
    for (const maxBlockBytes of [4 * 9 * 7, 4 * 9 * 500, undefined]) {
      const back = (await store.load('s', { maxBlockBytes }))!;
      expect(back.data.v.length).toBe(maxBlockBytes === 4 * 9 * 7 ? Math.ceil(500 / 7) : 1);
      same(joinBlocks(back.data.v), joinBlocks(space.data.v));
    }
    await store.save('h', space, { fp16: true });
    const half = (await store.load('h', { maxBlockBytes: 4 * 9 * 50 }))!;
    expect(half.data.v.length).toBe(10);
    expect(relErr(joinBlocks(half.data.v), joinBlocks(space.data.v))).toBeLessThan(1e-3);
  });

  it('loadSpace cuts V.pt into blocks that join to the one-array read', async () => {
    const folder = spaceFolderFromPath(fixturePath('w2w-space'));
    const whole = await loadSpace(folder, { k: 48 });
    const cut = await loadSpace(folder, { k: 48, maxBlockBytes: 4 * 48 * 1000 });
    expect(whole.data.v.length).toBe(1);
    expect(cut.data.v.length).toBe(Math.ceil(whole.size / 1000));
    same(joinBlocks(cut.data.v), whole.data.v[0]);
    const c = whole.sample(2);
    same(cut.theta(c), whole.theta(c));
  });
});

describe('sharing the blocks with the engine worker', () => {
  afterEach(() => void delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);

  it('cross-origin isolated: each block in its own SharedArrayBuffer, shared-allocated blocks kept as they are', () => {
    const space = syntheticSpace({ d: 100, k: 4, maxBlockBytes: 4 * 4 * 30 });
    expect(sharedAlloc()).toBeUndefined();
    expect(shareSpace(space.data)).toBe(space.data);
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated = true;
    const shared = shareSpace(space.data);
    expect(shared.v.length).toBe(4);
    expect(shared.v.every((b) => b.buffer instanceof SharedArrayBuffer)).toBe(true);
    same(joinBlocks(shared.v), joinBlocks(space.data.v));
    const alloc = sharedAlloc()!;
    const own = [alloc(8)];
    expect(own[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shareSpace({ ...space.data, v: own, mean: space.data.mean.subarray(0, 2), k: 4 }).v[0]).toBe(own[0]);
  });
});
