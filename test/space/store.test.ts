import { describe, expect, it } from 'vitest';
import { joinBlocks } from '../../src/engine/io/row-blocks';
import { IdentityLibrary } from '../../src/engine/space/library';
import { memoryKV, type KeyValue } from '../../src/engine/space/kv';
import { QuotaError, SpaceStore, STORE_VERSION } from '../../src/engine/space/store';
import { relativeResidual } from '../../src/engine/space/math';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import { fixturePath } from '../helpers/fixture';
import { syntheticSpace } from './synthetic';

/** A real in-memory KV that fails like IndexedDB once `limit` bytes of chunks are stored. */
function quotaKV(limit: number): KeyValue & { map: Map<string, unknown> } {
  const kv = memoryKV();
  const used = () => [...kv.map.values()].reduce((s: number, v) => s + (v instanceof Uint8Array ? v.length : 0), 0);
  return {
    ...kv,
    async set(key, value) {
      if (value instanceof Uint8Array && used() + value.length > limit) {
        const e = new Error('The quota has been exceeded.');
        e.name = 'QuotaExceededError';
        throw e;
      }
      await kv.set(key, value);
    },
  };
}

const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('space store', () => {
  const space = syntheticSpace({ d: 3000, k: 900, pcs: 16, models: 40 });

  it('round-trips a space in chunks (fp32 exact) and lists it', async () => {
    const kv = memoryKV();
    const store = new SpaceStore(kv, async () => ({ usage: 1, quota: 2 }));
    const progress: number[] = [];
    const m = await store.save('tiny', space, { onProgress: (done) => progress.push(done) });
    expect(m.version).toBe(STORE_VERSION);
    expect((await kv.keys()).filter((k) => k.includes('/v/')).length).toBeGreaterThan(1); // V spans chunks
    expect(progress.at(-1)).toBe(m.bytes - new TextEncoder().encode(JSON.stringify(space.data.labels.index)).length);
    const back = (await store.load('tiny'))!;
    for (const key of ['mean', 'std', 'proj', 'projMean', 'projStd'] as const)
      expect(sameBits(back.data[key], space.data[key]), key).toBe(true);
    expect(sameBits(joinBlocks(back.data.v), joinBlocks(space.data.v)), 'v').toBe(true);
    expect(back.k).toBe(space.k);
    expect(back.labelColumns).toEqual(space.labelColumns);
    expect(Array.from(back.direction('Young~Male'))).toEqual(Array.from(space.direction('Young~Male')));
    expect(back.data.labels.index).toEqual(space.data.labels.index);
    expect((await store.list()).map((x) => x.id)).toEqual(['tiny']);
    expect(await store.estimate()).toEqual({ spaces: [{ id: 'tiny', bytes: m.bytes }], usage: 1, quota: 2 });
  });

  it('fp16 halves V and proj and keeps θ close', async () => {
    const store = new SpaceStore(memoryKV());
    const full = await store.save('a', space);
    const half = await store.save('b', space, { fp16: true });
    expect(full.bytes - half.bytes).toBe(2 * (space.size * space.k + space.data.proj.length));
    const back = (await store.load('b'))!;
    const c = space.sample(2);
    expect(relativeResidual(space.theta(c), back.theta(c))).toBeLessThan(2e-3);
  });

  it('stores the fixture space (real files) in fp16 and gives back its directions and weights', async () => {
    const real = await loadSpace(spaceFolderFromPath(fixturePath('w2w-space')));
    const store = new SpaceStore(memoryKV());
    await store.save('tiny-sd-a', real, { fp16: true });
    const back = (await store.load('tiny-sd-a'))!;
    expect(Array.from(back.direction('Young~Male'))).toEqual(Array.from(real.direction('Young~Male')));
    expect(back.data.labels.index).toEqual(real.data.labels.index);
    const c = real.sample(5);
    expect(relativeResidual(real.theta(c), back.theta(c))).toBeLessThan(2e-3);
    expect(back.nearest(c, 3).map((n) => n.row)).toEqual(real.nearest(c, 3).map((n) => n.row));
  });

  it('is complete or absent: a quota failure deletes what it wrote and names the bytes needed', async () => {
    const kv = quotaKV(6 * 1024 * 1024);
    const store = new SpaceStore(kv);
    const err = await store.save('big', space).catch((e) => e);
    expect(err).toBeInstanceOf(QuotaError);
    expect(err.needed).toBeGreaterThan(space.size * space.k * 4);
    expect(err.message).toMatch(new RegExp(`needs .*\\(${err.needed} bytes\\); nothing was kept`));
    expect(await kv.keys()).toEqual([]);
    expect(await store.load('big')).toBeNull();
  });

  it('a failed re-save leaves the previous store intact', async () => {
    const small = syntheticSpace({ d: 100, k: 10 });
    const kv = quotaKV(64 * 1024);
    const store = new SpaceStore(kv);
    await store.save('s', small);
    const before = (await kv.keys()).sort();
    await expect(store.save('s', space)).rejects.toBeInstanceOf(QuotaError);
    expect((await kv.keys()).sort()).toEqual(before);
    expect(Array.from(joinBlocks((await store.load('s'))!.data.v))).toEqual(Array.from(joinBlocks(small.data.v)));
  });

  it('a successful re-save removes the old generation and interrupted leftovers', async () => {
    const kv = memoryKV();
    const store = new SpaceStore(kv);
    await kv.set('w2w-space/s/gdead/v/0', new Uint8Array(4)); // a save killed before its manifest
    await store.save('s', syntheticSpace({ d: 50, k: 5 }));
    const m = await store.save('s', syntheticSpace({ d: 50, k: 6 }));
    expect((await kv.keys()).every((k) => k === 'w2w-space/s/manifest' || k.startsWith(`w2w-space/s/${m.generation}/`))).toBe(true);
    expect((await store.load('s'))!.k).toBe(6);
  });

  it('other store versions read as absent; a missing chunk is a clear error; clear removes everything', async () => {
    const kv = memoryKV();
    const store = new SpaceStore(kv);
    const m = await store.save('s', syntheticSpace({ d: 50, k: 5 }));
    await kv.del(`w2w-space/s/${m.generation}/v/0`);
    await expect(store.load('s')).rejects.toThrow(/stored space s is damaged: chunk 0 of v is missing/);
    await kv.set('w2w-space/s/manifest', { ...m, version: STORE_VERSION + 1 });
    expect(await store.load('s')).toBeNull();
    await store.save('t', syntheticSpace({ d: 50, k: 5 }));
    await store.clear('s');
    expect((await kv.keys()).some((k) => k.startsWith('w2w-space/s/'))).toBe(false);
    expect(await store.load('t')).not.toBeNull();
    await store.clear();
    expect(await kv.keys()).toEqual([]);
    await expect(store.save('a/b', space)).rejects.toThrow(/bad space id "a\/b"/);
  });
});

describe('identity library', () => {
  it('adds, lists, renames, duplicates and deletes records', async () => {
    let n = 0;
    let t = 100;
    const lib = new IdentityLibrary(memoryKV(), () => `id${++n}`, () => ++t);
    const coef = Float32Array.of(1, 2, 3);
    const a = await lib.add({ name: ' Ada ', coef, space: 'tiny', settings: { seed: 3, diversity: 0.8 }, thumbnail: Uint8Array.of(137, 80) });
    coef[0] = 9; // the record keeps its own copy
    expect(a).toMatchObject({ id: 'id1', name: 'Ada', k: 3, space: 'tiny', settings: { seed: 3, diversity: 0.8 } });
    expect(Array.from((await lib.get('id1')).coef)).toEqual([1, 2, 3]);
    const r = await lib.rename('id1', 'Grace');
    expect(r.name).toBe('Grace');
    expect(r.updated).toBeGreaterThan(r.created);
    const dup = await lib.duplicate('id1');
    expect(dup).toMatchObject({ id: 'id2', name: 'Grace (copy)', k: 3, settings: { seed: 3, diversity: 0.8 } });
    expect(Array.from(dup.thumbnail!)).toEqual([137, 80]);
    expect((await lib.list()).map((x) => x.id)).toEqual(['id1', 'id2']);
    await lib.delete('id1');
    expect((await lib.list()).map((x) => x.name)).toEqual(['Grace (copy)']);
    await expect(lib.get('id1')).rejects.toThrow(/no identity id1/);
    await expect(lib.rename('id2', '  ')).rejects.toThrow(/non-empty name/);
  });
});
