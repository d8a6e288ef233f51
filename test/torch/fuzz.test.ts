// Seeded fuzzing: thousands of mutated or truncated copies of the fixture files, at the file level and
// inside a re-zipped data.pkl (so the pickle VM, not just the CRC, sees the damage). Every case must
// either load (and read) or throw a plain Error whose message names the file, within a time bound.
import { describe, expect, it } from 'vitest';
import { fromBytes } from '../../src/engine/io/source';
import { isDataFrame, isTensor, loadTensor, loadTorch, saveTensor } from '../../src/engine/torch/index';
import { torchZip } from '../../src/engine/torch/write';
import { ZipArchive } from '../../src/engine/torch/zip';
import { SPACE_FILES, spaceBytes } from './helpers';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const CASE_MS = 2000;

async function exercise(v: unknown, depth = 0): Promise<void> {
  if (isTensor(v)) {
    await v.read();
    if (v.shape.length === 2) await v.readColumns(Math.min(3, v.shape[1]), undefined, { chunkBytes: 8192 });
  } else if (isDataFrame(v)) {
    for (const c of v.columns) v.column(c);
  } else if (depth < 2 && (v instanceof Map || Array.isArray(v))) {
    for (const x of v instanceof Map ? v.values() : v) await exercise(x, depth + 1);
  }
}

async function run(name: string, bytes: Uint8Array): Promise<'ok' | Error> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('TIMEOUT')), CASE_MS)));
  try {
    await Promise.race([loadTorch(fromBytes(name, bytes)).then((v) => exercise(v)), timeout]);
    return 'ok';
  } catch (e) {
    return e as Error;
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzz', async () => {
  const files = await Promise.all(
    SPACE_FILES.map(async (name) => {
      const bytes = spaceBytes(name);
      const zip = await ZipArchive.open(fromBytes(name, bytes));
      const entries = await Promise.all([...zip.entries.values()].map(async (e) => [e.name.slice(name.length + 1), await zip.readAll(e, 1 << 24)] as const));
      return { name: `${name}.pt`, bytes, entries };
    }),
  );

  it('mutated and truncated files load or fail with a plain Error naming the file, each within the time bound', async () => {
    const rand = rng(20241123);
    const int = (n: number): number => Math.floor(rand() * n);
    const tally = { ok: 0, error: 0 };
    let slowest = 0;
    for (let i = 0; i < 3000; i++) {
      const f = files[int(files.length)];
      let bytes: Uint8Array;
      const mode = i % 4;
      if (mode === 3) {
        // Damage data.pkl itself, then re-zip with a valid CRC.
        let pkl = f.entries.find(([n]) => n === 'data.pkl')![1].slice();
        const kind = int(3);
        if (kind === 0) for (let j = 1 + int(4); j > 0; j--) pkl[int(pkl.length)] ^= 1 << int(8);
        else if (kind === 1) for (let j = 1 + int(4); j > 0; j--) pkl[int(pkl.length)] = int(256);
        else pkl = pkl.slice(0, int(pkl.length));
        bytes = torchZip(f.name.slice(0, -3), f.entries.map(([n, b]) => [n, n === 'data.pkl' ? pkl : b] as const));
      } else {
        bytes = f.bytes.slice();
        // Half the hits land in the zip structure and pickle at either end, where damage matters most.
        const pos = (): number => (rand() < 0.5 ? int(bytes.length) : rand() < 0.5 ? int(Math.min(400, bytes.length)) : bytes.length - 1 - int(400));
        if (mode === 0) for (let j = 1 + int(8); j > 0; j--) bytes[pos()] ^= 1 << int(8);
        else if (mode === 1) for (let j = 1 + int(4); j > 0; j--) bytes[pos()] = int(256);
        else bytes = bytes.slice(0, int(bytes.length));
      }
      const t0 = performance.now();
      const r = await run(f.name, bytes);
      slowest = Math.max(slowest, performance.now() - t0);
      if (r === 'ok') tally.ok++;
      else {
        tally.error++;
        if (r.constructor !== Error || r.message === 'TIMEOUT' || !r.message.includes(f.name))
          throw new Error(`case ${i} (${f.name}, mode ${mode}): ${r.constructor.name}: ${r.message}`);
      }
    }
    console.log(`fuzz: ${tally.ok} loaded, ${tally.error} refused, slowest case ${slowest.toFixed(0)} ms`);
    expect(tally.error).toBeGreaterThan(1000);
    expect(tally.ok).toBeGreaterThan(100);
    expect(slowest).toBeLessThan(CASE_MS);
  });

  it('random tensors round-trip through the writer bit for bit', async () => {
    const rand = rng(7);
    for (let i = 0; i < 200; i++) {
      const shape = Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * 6));
      const n = shape.reduce((a, b) => a * b, 1);
      const bits = Uint32Array.from({ length: n }, () => Math.floor(rand() * 2 ** 32));
      const data = new Float32Array(bits.buffer);
      const t = await loadTensor(fromBytes('w.pt', saveTensor(data, shape)));
      expect(t.shape).toEqual(shape);
      const back = new Uint32Array((await t.read()).buffer);
      expect(back.every((b, j) => b === bits[j])).toBe(true);
    }
  });
});
