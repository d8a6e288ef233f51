import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUNetConfig } from '../../src/engine/io/config';
import { float32ToHalf } from '../../src/engine/io/half';
import { openSafetensors, writeSafetensors, type SafeDType } from '../../src/engine/io/safetensors';
import { fromBytes, type ByteSource } from '../../src/engine/io/source';
import { openPath } from '../../src/engine/io/source-node';
import { fixturePath, openFixture, TINY } from '../helpers/fixture';

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

async function safetensorsUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.safetensors')).sort();
}

/** Counts the bytes a source hands out, to prove the reader never pulls the whole file. */
function counting(src: ByteSource): { bytes: number; src: ByteSource } {
  const c: { bytes: number; src: ByteSource } = {
    bytes: 0,
    src: { name: src.name, size: src.size, read: (o, n) => ((c.bytes += n), src.read(o, n)) },
  };
  return c;
}

describe('safetensors reader on the fixtures', () => {
  it('opens every fixture file and reads every tensor with the advertised shape', async () => {
    const files = await safetensorsUnder(TINY);
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const rel of files) {
      const f = await openSafetensors(await openPath(path.join(TINY, rel)));
      expect(f.keys().length).toBeGreaterThan(0);
      for (const key of f.keys()) {
        const { dtype, shape, byteLength } = f.info(key);
        const n = numel(shape);
        const data = dtype === 'I64' ? await f.readInt64(key) : await f.readFloat32(key);
        expect(data.length, `${rel} ${key}`).toBe(n);
        expect((await f.readRaw(key)).length).toBe(byteLength);
      }
    }
  });

  it('reference.safetensors holds the documented inputs', async () => {
    const f = await openFixture('reference.safetensors');
    const expectInfo = (key: string, dtype: SafeDType, shape: number[]) => expect([f.info(key).dtype, [...f.info(key).shape]]).toEqual([dtype, shape]);
    expectInfo('unet.sample', 'F32', [2, 4, 16, 16]);
    expectInfo('unet.timestep', 'I64', [2]);
    expectInfo('unet.encoder_hidden_states', 'F32', [2, 77, 32]);
    expectInfo('clip.ids', 'I64', [2, 77]);
    expectInfo('pipe.pndm.timesteps', 'I64', [7]);
    expectInfo('vae.image', 'F32', [1, 3, 32, 32]);
    expect(() => f.info('nope')).toThrow(`missing tensor nope in ${fixturePath('reference.safetensors')}`);
    await expect(f.readFloat32('nope')).rejects.toThrow('missing tensor nope');
  });

  it('values match the bytes in the file', async () => {
    const f = await openFixture('reference.safetensors');
    const bytes = await readFile(fixturePath('reference.safetensors'));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const sample = f.info('unet.sample');
    const x = await f.readFloat32('unet.sample');
    for (const i of [0, 1, 777, x.length - 1]) expect(x[i]).toBe(dv.getFloat32(sample.byteOffset + 4 * i, true));
    const t = f.info('pipe.pndm.timesteps');
    const steps = await f.readInt64('pipe.pndm.timesteps');
    expect([...steps]).toEqual([...Array(7)].map((_, i) => dv.getBigInt64(t.byteOffset + 8 * i, true)));
    expect(Number(steps[0])).toBeGreaterThan(Number(steps[6]));
    // readFloat32 of an int tensor converts; readInt64 of a float tensor refuses.
    expect([...(await f.readFloat32('pipe.pndm.timesteps'))]).toEqual([...steps].map(Number));
    await expect(f.readInt64('unet.sample')).rejects.toThrow('unet.sample in');
    const half = await f.readFloat16Bits('unet.sample');
    expect([...half]).toEqual([...float32ToHalf(x)]);
  });

  it('weight shapes agree with the UNet config', async () => {
    const cfg = parseUNetConfig(JSON.parse(await readFile(fixturePath('unet/config.json'), 'utf8')));
    const f = await openFixture('unet', 'diffusion_pytorch_model.safetensors');
    const c0 = cfg.blockOutChannels[0];
    expect(f.info('conv_in.weight').shape).toEqual([c0, cfg.inChannels, cfg.convInKernel, cfg.convInKernel]);
    expect(f.info('time_embedding.linear_1.weight').shape).toEqual([cfg.timeEmbedDim, c0]);
    expect(f.info('down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight').shape).toEqual([c0, cfg.crossAttentionDim]);
    expect(f.info('down_blocks.0.attentions.0.proj_in.weight').shape).toEqual([c0, c0, 1, 1]);
    expect(f.info('mid_block.attentions.0.transformer_blocks.0.attn1.to_q.weight').shape).toEqual([64, 64]);
  });

  it('opening reads only the header; a tensor read reads only that tensor', async () => {
    const src = await openPath(fixturePath('unet', 'diffusion_pytorch_model.safetensors'));
    const c = counting(src);
    const f = await openSafetensors(c.src);
    const headerLen = Number(new DataView((await src.read(0, 8)).buffer).getBigUint64(0, true));
    expect(c.bytes).toBe(8 + headerLen);
    c.bytes = 0;
    await f.readFloat32('conv_in.weight');
    expect(c.bytes).toBe(f.info('conv_in.weight').byteLength);
  });
});

describe('safetensors writer', () => {
  const sample = () => {
    const f32 = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 100);
    return {
      'w.f32': { dtype: 'F32' as const, shape: [2, 3, 4], data: f32 },
      'w.f16': { dtype: 'F16' as const, shape: [3], data: new Float32Array([1.5, -0.1, 70000]) },
      'w.f16bits': { dtype: 'F16' as const, shape: [2], data: new Uint16Array([0x3c00, 0xc000]) },
      'w.bf16': { dtype: 'BF16' as const, shape: [2], data: new Uint16Array([0x3f80, 0xc040]) },
      'w.f64': { dtype: 'F64' as const, shape: [2], data: new Float64Array([0.5, 1e-3]) },
      'ids.i64': { dtype: 'I64' as const, shape: [3], data: new BigInt64Array([-1n, 2n ** 40n, 49407n]) },
      'ids.i32': { dtype: 'I32' as const, shape: [1, 2], data: new Int32Array([-7, 9]) },
      'ids.i16': { dtype: 'I16' as const, shape: [1], data: new Int16Array([-300]) },
      'ids.i8': { dtype: 'I8' as const, shape: [1], data: new Int8Array([-3]) },
      'mask.u8': { dtype: 'U8' as const, shape: [2], data: new Uint8Array([0, 255]) },
      'mask.bool': { dtype: 'BOOL' as const, shape: [2], data: new Uint8Array([1, 0]) },
      scalar: { dtype: 'F32' as const, shape: [], data: new Float32Array([27]) },
      empty: { dtype: 'F32' as const, shape: [0, 3], data: new Float32Array(0) },
    };
  };

  it('round-trips every dtype, with metadata, in sorted order, 8-byte aligned', async () => {
    const t = sample();
    const bytes = writeSafetensors(t, { format: 'pt', note: 'w2w' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(Object.keys(header)).toEqual(['__metadata__', ...Object.keys(t).sort()]);
    let end = 0;
    for (const k of Object.keys(t).sort()) {
      expect(header[k].data_offsets[0]).toBe(end);
      end = header[k].data_offsets[1];
    }
    expect(bytes.length).toBe(8 + n + end);

    const f = await openSafetensors(fromBytes('mem', bytes));
    expect(f.metadata).toEqual({ format: 'pt', note: 'w2w' });
    expect([...(await f.readFloat32('w.f32'))]).toEqual([...t['w.f32'].data]);
    expect([...(await f.readFloat16Bits('w.f16'))]).toEqual([0x3e00, 0xae66, 0x7c00]);
    expect([...(await f.readFloat32('w.f16'))]).toEqual([1.5, Math.fround(-0.0999755859375), Infinity]);
    expect([...(await f.readFloat32('w.f16bits'))]).toEqual([1, -2]);
    expect([...(await f.readFloat32('w.bf16'))]).toEqual([1, -3]);
    expect([...(await f.readFloat16Bits('w.bf16'))]).toEqual([0x3c00, 0xc200]);
    expect([...(await f.readFloat32('w.f64'))]).toEqual([0.5, Math.fround(1e-3)]);
    expect((await f.read('w.f64')).data).toEqual(new Float64Array([0.5, 1e-3]));
    expect([...(await f.readInt64('ids.i64'))]).toEqual([-1n, 2n ** 40n, 49407n]);
    expect([...(await f.readFloat32('ids.i64'))]).toEqual([-1, 2 ** 40, 49407]);
    expect([...(await f.readInt64('ids.i32'))]).toEqual([-7n, 9n]);
    expect([...(await f.readFloat32('ids.i16'))]).toEqual([-300]);
    expect([...(await f.readInt64('ids.i8'))]).toEqual([-3n]);
    expect([...(await f.readFloat32('mask.u8'))]).toEqual([0, 255]);
    expect(await f.read('mask.bool')).toEqual({ dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) });
    expect(await f.read('scalar')).toEqual({ dtype: 'F32', shape: [], data: new Float32Array([27]) });
    expect((await f.readFloat32('empty')).length).toBe(0);
  });

  it('keeps the given order for a list, and reads tensors at odd offsets', async () => {
    const bytes = writeSafetensors([
      { name: 'z', dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      { name: 'a', dtype: 'F32', shape: [2], data: new Float32Array([0.25, -8]) },
    ]);
    const f = await openSafetensors(fromBytes('mem', bytes));
    expect(f.keys()).toEqual(['z', 'a']);
    expect(f.info('a').byteOffset % 4).not.toBe(0);
    expect([...(await f.readFloat32('a'))]).toEqual([0.25, -8]);
  });

  it('rejects inconsistent tensors', () => {
    const f32 = new Float32Array(4);
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [5], data: f32 } })).toThrow('4 values for shape [5]');
    expect(() => writeSafetensors({ a: { dtype: 'I64', shape: [4], data: f32 } })).toThrow('needs a BigInt64Array, got Float32Array');
    expect(() => writeSafetensors([{ name: 'a', dtype: 'F32', shape: [4], data: f32 }, { name: 'a', dtype: 'F32', shape: [4], data: f32 }])).toThrow('duplicate');
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [-4], data: f32 } })).toThrow('bad shape');
  });
});

/** A safetensors file from a header (object or raw text) and a data section, optionally lying about the length. */
function craft(header: unknown, data = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const open = (bytes: Uint8Array) => openSafetensors(fromBytes('bad.safetensors', bytes));
const t = (dtype: string, shape: number[], offsets: number[]) => ({ dtype, shape, data_offsets: offsets });

describe('safetensors reader on corrupt input', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty file', new Uint8Array(0), /bad\.safetensors: .*0 bytes, shorter than the 8-byte header length/],
    ['truncated length prefix', new Uint8Array(5), /5 bytes, shorter than/],
    ['header length past the end', craft({}, new Uint8Array(0), 1000n), /header length 1000 runs past the end of the file \(10 bytes\)/],
    ['header length 2^60', craft({}, new Uint8Array(0), 2n ** 60n), /header length 1152921504606846976 is absurdly large/],
    ['header length 2^64-1', craft({}, new Uint8Array(0), 2n ** 64n - 1n), /absurdly large/],
    ['truncated header', craft({ a: t('F32', [1], [0, 4]) }).subarray(0, 20), /runs past the end/],
    ['bad JSON', craft('{"a": {"dtype": "F32",'), /header is not valid JSON/],
    ['invalid UTF-8', craft('{"\xff"}').map((b) => (b === 0xc3 ? 0xff : b)), /not valid UTF-8/],
    ['JSON array', craft([1, 2]), /header is not a JSON object/],
    ['unknown dtype', craft({ a: t('F8_E4M3', [1], [0, 1]) }, new Uint8Array(1)), /tensor a: unknown dtype "F8_E4M3"/],
    ['prototype dtype', craft({ a: t('constructor', [1], [0, 1]) }, new Uint8Array(1)), /unknown dtype "constructor"/],
    ['entry not an object', craft({ a: 3 }), /tensor a: header entry is not an object/],
    ['negative dim', craft({ a: t('F32', [-1], [0, 4]) }, new Uint8Array(4)), /tensor a: bad shape \[-1\]/],
    ['fractional dim', craft({ a: t('F32', [1.5], [0, 6]) }, new Uint8Array(6)), /bad shape \[1.5\]/],
    ['offsets outside the file', craft({ a: t('F32', [4], [0, 16]) }, new Uint8Array(8)), /tensor a: data_offsets \[0, 16\] lie outside the data section \(8 bytes\)/],
    ['reversed offsets', craft({ a: t('F32', [0], [8, 4]) }, new Uint8Array(8)), /tensor a: bad data_offsets \[8,4\]/],
    ['overlapping offsets', craft({ a: t('F32', [2], [0, 8]), b: t('F32', [2], [4, 12]) }, new Uint8Array(12)), /tensors a and b overlap/],
    ['shape/length mismatch', craft({ a: t('F32', [3], [0, 8]) }, new Uint8Array(8)), /tensor a: F32 \[3\] needs 12 bytes but data_offsets \[0, 8\] hold 8/],
    ['huge shape', craft({ a: t('F32', [2 ** 40, 2 ** 40], [0, 8]) }, new Uint8Array(8)), /needs 4835703278458516698824704 bytes/],
    ['bad metadata', craft({ __metadata__: { a: 1 } }), /__metadata__\.a is not a string/],
  ];
  for (const [name, bytes, message] of cases)
    it(name, async () => {
      await expect(open(bytes)).rejects.toThrow(message);
    });

  it('accepts zero-length tensors sharing an offset, and a header padded with spaces', async () => {
    const f = await open(craft(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}   `, new Uint8Array(4)));
    expect(f.keys()).toEqual(['a', 'b']);
  });

  it('survives thousands of random mutations with plain Errors', async () => {
    const valid = writeSafetensors(
      {
        a: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6).fill(1.5) },
        b: { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, 2n]) },
        c: { dtype: 'F16', shape: [3], data: new Uint16Array([1, 2, 3]) },
      },
      { k: 'v' },
    );
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const outcomes = { ok: 0, failed: 0 };
    for (let i = 0; i < 4000; i++) {
      let bytes = valid.slice();
      const kind = rand(4);
      if (kind === 0) bytes = bytes.subarray(0, rand(bytes.length));
      else
        for (let m = 1 + rand(4); m > 0; m--) {
          // Aim most mutations at the prefix and header, where parsing happens.
          const at = rand(3) ? rand(Math.min(bytes.length, 8 + 200)) : rand(bytes.length);
          bytes[at] = kind === 1 ? rand(256) : kind === 2 ? '{}[],:"0123456789-.eE '.charCodeAt(rand(22)) : bytes[at] ^ (1 << rand(8));
        }
      try {
        const f = await open(bytes);
        for (const key of f.keys()) {
          await f.read(key);
          await f.readFloat32(key);
          await f.readFloat16Bits(key);
        }
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof Error) || e.constructor !== Error || !e.message) throw new Error(`mutation ${i} threw ${String(e)} (${(e as object)?.constructor?.name})`);
        expect(e.message).toMatch(/^bad\.safetensors: |^missing tensor/);
        outcomes.failed++;
      }
    }
    expect(outcomes.failed).toBeGreaterThan(1000);
    expect(outcomes.ok).toBeGreaterThan(10);
  });
});
