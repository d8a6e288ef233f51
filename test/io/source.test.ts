import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../src/engine/io/safetensors';
import { fromBlob, fromBytes, MissingFileError, openUrl } from '../../src/engine/io/source';
import { openPath } from '../../src/engine/io/source-node';
import { fixturePath, TINY } from '../helpers/fixture';
import { serve, serveDir, type Served } from './http-server';

const UNET = 'unet/diffusion_pytorch_model.safetensors';

describe('in-memory and Blob sources', () => {
  it('fromBytes reads copies and checks bounds', async () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const src = fromBytes('five', bytes);
    const got = await src.read(1, 3);
    expect([...got]).toEqual([2, 3, 4]);
    got[0] = 99;
    expect(bytes[1]).toBe(2);
    expect((await src.read(5, 0)).length).toBe(0);
    await expect(src.read(3, 3)).rejects.toThrow('read past the end of five: bytes 3..6 of 5');
    await expect(src.read(-1, 1)).rejects.toThrow('bad read of five');
  });

  it('fromBlob slices a File without reading it whole', async () => {
    const file = new File([new Uint8Array([9, 8, 7, 6])], 'w.safetensors');
    const src = fromBlob(file);
    expect([src.name, src.size]).toEqual(['w.safetensors', 4]);
    expect([...(await src.read(2, 2))]).toEqual([7, 6]);
    expect(fromBlob(new Blob([]), 'named').name).toBe('named');
    await expect(src.read(0, 5)).rejects.toThrow('read past the end of w.safetensors');
  });
});

describe('node file source', () => {
  it('reads the fixture bytes', async () => {
    const whole = await readFile(fixturePath(UNET));
    const src = await openPath(fixturePath(UNET));
    expect(src.size).toBe(whole.length);
    expect(Buffer.from(await src.read(1000, 5000)).equals(whole.subarray(1000, 6000))).toBe(true);
    await expect(src.read(whole.length - 1, 2)).rejects.toThrow('read past the end');
  });

  it('names a missing file', async () => {
    const missing = fixturePath('unet/nope.safetensors');
    await expect(openPath(missing)).rejects.toThrow(`missing file: ${missing}`);
    await expect(openPath(missing)).rejects.toBeInstanceOf(MissingFileError);
    await expect(openPath(TINY)).rejects.toThrow(`not a file: ${TINY}`);
  });
});

describe('HTTP Range source', () => {
  let ranged: Served;
  let plain: Served;
  let hidden: Served;
  let memory: Served;
  beforeAll(async () => {
    ranged = await serveDir(TINY);
    plain = await serveDir(TINY, '', { ranges: false });
    hidden = await serveDir(TINY, '', { contentRange: false });
    const files: Record<string, Uint8Array> = { '/empty.bin': new Uint8Array(0), '/small.bin': new Uint8Array([1, 2, 3]) };
    memory = await serve(async (p) => (p === '/boom' ? Promise.reject(new Error('boom')) : (files[p] ?? null)));
  });
  afterAll(async () => {
    await Promise.all([ranged, plain, hidden, memory].map((s) => s.close()));
  });

  it('reads a file in ranges, serving the header out of the first chunk', async () => {
    const whole = await readFile(fixturePath(UNET));
    ranged.log.length = 0;
    const src = await openUrl(`${ranged.url}/${UNET}`);
    expect(src.size).toBe(whole.length);
    const f = await openSafetensors(src);
    expect(ranged.log).toEqual([`GET /${UNET} bytes=0-262143`]);
    const { byteOffset, byteLength } = f.info('up_blocks.3.resnets.2.conv2.weight');
    expect(Buffer.from(await f.readRaw('up_blocks.3.resnets.2.conv2.weight')).equals(whole.subarray(byteOffset, byteOffset + byteLength))).toBe(true);
    expect(ranged.log[1]).toBe(`GET /${UNET} bytes=${byteOffset}-${byteOffset + byteLength - 1}`);
    expect(Buffer.from(await src.read(262140, 20)).equals(whole.subarray(262140, 262160))).toBe(true);
    await expect(src.read(whole.length, 1)).rejects.toThrow('read past the end');
  });

  it('handles files smaller than the first chunk and empty files', async () => {
    const small = await openUrl(`${memory.url}/small.bin`);
    expect([small.size, ...(await small.read(1, 2))]).toEqual([3, 2, 3]);
    expect((await openUrl(`${memory.url}/empty.bin`)).size).toBe(0);
  });

  it('falls back to HEAD when Content-Range is hidden', async () => {
    hidden.log.length = 0;
    const src = await openUrl(`${hidden.url}/reference.safetensors`);
    expect(src.size).toBe((await readFile(fixturePath('reference.safetensors'))).length);
    expect(hidden.log.map((l) => l.split(' ')[0])).toEqual(['GET', 'HEAD']);
  });

  it('refuses a server that ignores Range', async () => {
    await expect(openUrl(`${plain.url}/${UNET}`)).rejects.toThrow(
      `server ignored the Range header for ${plain.url}/${UNET} (HTTP 200 instead of 206)`,
    );
  });

  it('reports 404 as a missing file and other statuses by number', async () => {
    const url = `${ranged.url}/unet/missing.safetensors`;
    await expect(openUrl(url)).rejects.toThrow(`missing file: ${url}`);
    await expect(openUrl(url)).rejects.toBeInstanceOf(MissingFileError);
    await expect(openUrl(`${memory.url}/boom`, { fetch: async () => new Response('x', { status: 503, statusText: 'Busy' }) })).rejects.toThrow(
      `HTTP 503 Busy for ${memory.url}/boom`,
    );
  });

  it('reports network failures with the URL', async () => {
    const closed = await serve(async () => null);
    await closed.close();
    await expect(openUrl(`${closed.url}/x`)).rejects.toThrow(`network error fetching ${closed.url}/x`);
  });

  it('passes custom headers through a custom fetch', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      seen.push(new Headers(init?.headers).get('authorization') ?? 'none');
      return fetch(input, init);
    };
    const src = await openUrl(`${ranged.url}/${UNET}`, { fetch: spy, headers: { Authorization: 'Bearer t' } });
    await src.read(1_000_000, 10);
    expect(seen).toEqual(['Bearer t', 'Bearer t']);
  });

  it('rejects a short body', async () => {
    const liar: typeof fetch = async () =>
      new Response(new Uint8Array(10), { status: 206, headers: { 'Content-Range': 'bytes 0-262143/300000' } });
    await expect(openUrl('http://127.0.0.1:1/x', { fetch: liar })).rejects.toThrow('short read of http://127.0.0.1:1/x: got 10 bytes of 262144');
  });
});
