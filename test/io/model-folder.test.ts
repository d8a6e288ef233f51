import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUNetConfig } from '../../src/engine/io/config';
import { folderFromFiles, folderFromUrl, type ModelFolder } from '../../src/engine/io/model-folder';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { openSafetensors } from '../../src/engine/io/safetensors';
import { fixturePath, TINY } from '../helpers/fixture';
import { serveDir, type Served } from './http-server';

const UNET = 'unet/diffusion_pytorch_model.safetensors';
const FILES = ['model_index.json', 'unet/config.json', UNET, 'tokenizer/merges.txt'];

/** What every folder kind must do with the fixture. */
async function checkFolder(folder: ModelFolder): Promise<void> {
  expect((await folder.json('model_index.json'))._class_name).toBe('StableDiffusionPipeline');
  expect(parseUNetConfig(await folder.json('unet/config.json')).blockOutChannels).toEqual([32, 64, 64, 64]);
  expect((await folder.text('tokenizer/merges.txt')).split('\n')[1]).toBe('i n');
  const unet = await openSafetensors(await folder.source(UNET));
  const direct = (await readFile(fixturePath(UNET))).subarray(unet.info('conv_in.bias').byteOffset);
  expect(new Uint8Array((await unet.readFloat32('conv_in.bias')).buffer)).toEqual(new Uint8Array(direct.subarray(0, 32 * 4)));
  expect(await folder.has?.(UNET)).toBe(true);
  expect(await folder.has?.('unet/nope.bin')).toBe(false);
  const absent = 'vae/diffusion_pytorch_model.fp16.safetensors';
  await expect(folder.source(absent)).rejects.toThrow(`missing file: ${absent} in ${folder.describe}`);
  await expect(folder.json('unet/missing.json')).rejects.toThrow(`missing file: unet/missing.json in ${folder.describe}`);
  await expect(folder.text('../secret')).rejects.toThrow('bad model file path "../secret"');
}

describe('model folders', () => {
  let server: Served;
  beforeAll(async () => {
    server = await serveDir(TINY, '/owner/repo/resolve/main');
  });
  afterAll(() => server.close());

  it('on disk', async () => {
    const folder = folderFromPath(TINY);
    expect(folder.describe).toBe(TINY);
    await checkFolder(folder);
  });

  it('over HTTP', async () => {
    const folder = folderFromUrl(`${server.url}/owner/repo/resolve/main/`);
    expect(folder.describe).toBe(`${server.url}/owner/repo/resolve/main`);
    await checkFolder(folder);
  });

  it('from dropped files, with or without the folder name in front', async () => {
    const blobs = await Promise.all(FILES.map(async (f) => new Blob([await readFile(fixturePath(f))])));
    await checkFolder(folderFromFiles(new Map(FILES.map((f, i) => [f, blobs[i]])), 'dropped'));
    await checkFolder(folderFromFiles(new Map(FILES.map((f, i) => [`tiny-sd-a/${f}`, blobs[i]])), 'dropped'));
  });

  it('reports invalid JSON with the file and folder', async () => {
    const folder = folderFromFiles(new Map([['model_index.json', new Blob(['{nope'])]]), 'dropped');
    await expect(folder.json('model_index.json')).rejects.toThrow('invalid JSON in model_index.json in dropped');
  });
});
