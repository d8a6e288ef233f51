// The tab's File-backed LoRA source (build-inputs) against the CLI's Node one: the same names (folder-named
// PEFT/diffusers files), the adapter_config.json beside a PEFT adapter honoured, and a byte-identical build.
import { openAsBlob } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loraInputs } from '../../src/cli/build-space';
import { parseUNetConfig } from '../../src/engine/io/config';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { loraLayout, type LoraLayout } from '../../src/engine/models/lora';
import { fromBytes } from '../../src/engine/io/source';
import { buildSpace, spaceZip } from '../../src/engine/space/build';
import { loraInputsFromFiles, loraName } from '../../src/engine/space/build-inputs';
import { ZipArchive } from '../../src/engine/torch/zip';
import { fixturePath } from '../helpers/fixture';
import { syntheticFlats, writeLoras } from './build-loras';

/** Every file under `dir` as a file-backed Blob, keyed by its path below it (what a dropped folder gives). */
async function blobsUnder(dir: string): Promise<Map<string, Blob>> {
  const out = new Map<string, Blob>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), await openAsBlob(join(e.parentPath, e.name)));
  return out;
}

describe('build inputs from files', () => {
  let layout: LoraLayout;
  let dir: string;

  beforeAll(async () => {
    layout = loraLayout(parseUNetConfig(await folderFromPath(fixturePath()).json('unet/config.json')));
    dir = await mkdtemp(join(tmpdir(), 'w2w-build-inputs-'));
    await writeLoras(dir, layout, syntheticFlats(layout, 9, 11));
  });

  it('names LoRAs as the CLI does', () => {
    expect(loraName('a/b.safetensors')).toBe('a/b');
    expect(loraName('x/adapter_model.safetensors')).toBe('x');
    expect(loraName('y/unet/pytorch_lora_weights.safetensors')).toBe('y');
  });

  it('gives the same LoRAs and the same build as the Node source', async () => {
    const node = await loraInputs([dir]);
    const files = await loraInputsFromFiles(await blobsUnder(dir));
    expect(files.map((l) => l.name)).toEqual(node.map((l) => l.name));
    expect(files.map((l) => l.config)).toEqual(node.map((l) => l.config));
    expect(files.some((l) => l.config)).toBe(true);
    const opts = { components: 4, layout, seed: 0 };
    const [a, b] = [await buildSpace(node, opts), await buildSpace(files, opts)];
    expect(Array.from(b.explained)).toEqual(Array.from(a.explained));
    expect(b.files.map((f) => f.name)).toEqual(a.files.map((f) => f.name));
    b.files.forEach((f, i) => expect(Buffer.from(f.bytes).equals(Buffer.from(a.files[i].bytes)), f.name).toBe(true));
  });

  it('opens each file afresh on every pass (nothing held between passes)', async () => {
    const blobs = await blobsUnder(dir);
    let slices = 0;
    const counted = new Map([...blobs].map(([k, b]) => [k, ({ size: b.size, text: () => b.text(), slice: (...a: Parameters<Blob['slice']>) => (slices++, b.slice(...a)) }) as unknown as Blob]));
    const loras = await loraInputsFromFiles(counted);
    const built = await buildSpace(loras, { components: 2, layout, powerIterations: 1 });
    // statistics, range, 2 power passes, basis, coefficients: every LoRA read at least once in each.
    expect(slices).toBeGreaterThanOrEqual(6 * loras.length);
    expect(built.components).toBe(2);
  });

  it("zips the built files (the tab's 'Download all'): every file byte for byte, in order, under w2w-space-<name>/", async () => {
    const built = await buildSpace(await loraInputs([dir]), { components: 2, layout, powerIterations: 1 });
    const zip = spaceZip('my loras/v2', built.files);
    expect(zip.name).toBe('w2w-space-my_loras_v2.zip');
    const archive = await ZipArchive.open(fromBytes(zip.name, zip.bytes));
    expect([...archive.entries.keys()]).toEqual(built.files.map((f) => `w2w-space-my_loras_v2/${f.name}`));
    for (const f of built.files) {
      const entry = archive.entry(`w2w-space-my_loras_v2/${f.name}`);
      const bytes = await archive.readAll(entry, f.bytes.length);
      expect(Buffer.from(bytes).equals(Buffer.from(f.bytes)), f.name).toBe(true);
    }
  });

  it('refuses files without LoRAs and a broken adapter_config.json', async () => {
    await expect(loraInputsFromFiles(new Map([['notes.txt', new Blob(['x'])]]))).rejects.toThrow(/hold no \.safetensors file/);
    const bad = new Map([
      ['p/adapter_model.safetensors', new Blob([new Uint8Array(8)])],
      ['p/adapter_config.json', new Blob(['{'])],
    ]);
    await expect(loraInputsFromFiles(bad)).rejects.toThrow(/p\/adapter_config\.json: not valid JSON/);
  });
});
