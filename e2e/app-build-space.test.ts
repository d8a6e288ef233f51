// "Build a space" on the Library screen end to end (headless Chromium, wasm backend, the fixture in hub
// layout): synthetic LoRAs written as real files (kohya, PEFT with its config, diffusers) in a temp folder
// and a labels CSV are picked; the built curve matches the engine's Node build of the same files, the space
// becomes current with the CSV's labels and K, the files download; Cancel stores nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { loraInputs } from '../src/cli/build-space';
import { parseUNetConfig } from '../src/engine/io/config';
import { writeSafetensors } from '../src/engine/io/safetensors';
import { loraToTensors } from '../src/engine/models/lora-files';
import { loraLayout } from '../src/engine/models/lora';
import { buildSpace } from '../src/engine/space/build';
import { labelsFromCsv } from '../src/engine/space/labels-csv';
import { syntheticFlats, writeLoras } from '../test/space/build-loras';
import { readIdb, type AppPage } from './app-helpers';
import { browserSuite, readyApp } from './app-flow';
import { FIXTURES } from './server';

const cfg = parseUNetConfig(JSON.parse(readFileSync(path.join(FIXTURES, 'tiny-sd-a', 'unet', 'config.json'), 'utf8')));
const layout = loraLayout(cfg);
const K = 4;

/** idb-keyval's keys in the page (the space worker stores spaces under w2w-space/<id>/…). */
const storedKeys = async (page: Page) => ((await readIdb(page, { keys: true })) as unknown[]).map(String);

describe('build a space in the tab (wasm)', () => {
  const suite = browserSuite();
  let app: AppPage;
  const dir = mkdtempSync(path.join(tmpdir(), 'w2w-tab-build-'));

  test('Cancel stops the build and stores nothing', { timeout: 120_000 }, async () => {
    await writeLoras(path.join(dir, 'many'), layout, syntheticFlats(layout, 160, 5, 8), ['kohya']);
    app = await readyApp(suite.browser(), suite.server());
    const { page } = app;
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByLabel('LoRA folder…').setInputFiles(path.join(dir, 'many'));
    await page.getByTestId('build-loras').filter({ hasText: '160 LoRA files from many' }).waitFor();
    await page.getByLabel('Components K').fill('3');
    await page.getByRole('button', { name: 'Build space' }).click();
    await page.getByTestId('build-progress').filter({ hasText: /ETA/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel build' }).click();
    await page.getByRole('status').filter({ hasText: 'Build cancelled: nothing was stored.' }).waitFor();
    assert.deepEqual((await storedKeys(page)).filter((k) => k.includes('local-build')), []);
  });

  test('builds from a folder and a CSV: the Node build\'s curve, current with the labels and K, downloadable', { timeout: 120_000 }, async () => {
    const { page } = app;
    const loraDir = path.join(dir, 'loras');
    const names = await writeLoras(loraDir, layout, syntheticFlats(layout, 12, 9));
    const csv = ['file,Male,Young', ...names.map((n, i) => `${n},${i % 2},${i % 3 ? 1 : -1}`).reverse()].join('\n');
    writeFileSync(path.join(dir, 'labels.csv'), csv);
    const loras = await loraInputs([loraDir]);
    const ref = await buildSpace(loras, { components: K, layout, seed: 0, labels: labelsFromCsv(csv, loras.map((l) => l.name)) });

    await page.getByLabel('LoRA folder…').setInputFiles(loraDir);
    await page.getByTestId('build-loras').filter({ hasText: '12 LoRA files from loras' }).waitFor();
    await page.getByLabel('Labels CSV…').setInputFiles(path.join(dir, 'labels.csv'));
    await page.getByLabel('Components K').fill(String(K));
    await page.getByRole('button', { name: 'Build space' }).click();
    const curve = page.getByTestId('variance-curve');
    await curve.waitFor({ timeout: 60_000 });

    let sum = 0;
    const expected = Array.from(ref.explained, (e) => (sum += e));
    const shown = ((await curve.getAttribute('data-cumulative')) ?? '').split(',').map(Number);
    assert.equal(shown.length, K);
    shown.forEach((c, i) => assert.ok(Math.abs(c - expected[i]) <= 1e-9, `component ${i + 1}: ${c} vs ${expected[i]}`));
    assert.match((await curve.getAttribute('aria-label')) ?? '', new RegExp(`top ${K} components explain ${Math.round(100 * expected[K - 1])}%`));
    await page.getByRole('status').filter({ hasText: `Built and made current: local-build-loras · 12 LoRAs, K = ${K}, 2 attributes.` }).waitFor();
    assert.ok((await storedKeys(page)).some((k) => k.startsWith('w2w-space/local-build-loras/')));
    await app.shot('app-build-space.png');

    // The Create screen works in the built space: its K and the CSV's attributes.
    await page.getByRole('tab', { name: 'Create' }).click();
    assert.match((await page.getByTestId('space-ready').textContent()) ?? '', new RegExp(`12 training identities, ${K} of ${K} components, 2 attributes`));
    await page.getByRole('tab', { name: 'Library' }).click();

    // Per-file downloads are the Node build's bytes; the zip holds them all.
    const download = async (name: string | RegExp) => {
      const d = page.waitForEvent('download');
      await page.getByRole('link', { name }).click();
      const got = await d;
      return { name: got.suggestedFilename(), bytes: await readFile((await got.path())!) };
    };
    const v = await download('V.pt');
    assert.ok(v.bytes.equals(Buffer.from(ref.files.find((f) => f.name === 'V.pt')!.bytes)));
    const zip = await download(/^Download all/);
    assert.equal(zip.name, 'w2w-space-loras.zip');
    const text = zip.bytes.toString('latin1');
    for (const f of ref.files) assert.ok(text.includes(`w2w-space-loras/${f.name}`), f.name);
    assert.deepEqual(app.errors, []);
  });

  test('bad input is named as the CLI names it: another shape, a CSV of other rows; too few LoRAs reduce K with a note', { timeout: 60_000 }, async () => {
    const { page } = app;
    const alert = page.getByRole('alert');
    const build = async (folder: string, k: number, csv?: string) => {
      await page.getByLabel('LoRA folder…').setInputFiles(path.join(dir, folder));
      await page.getByTestId('build-loras').filter({ hasText: ` from ${folder}` }).waitFor();
      if (csv) await page.getByLabel('Labels CSV…').setInputFiles(path.join(dir, csv));
      await page.getByLabel('Components K').fill(String(k));
      await page.getByRole('button', { name: 'Build space' }).click();
    };
    // A UNet with wider text conditioning: attn2.to_v's A is [1, 48] where the base's is [1, 32].
    const other = loraLayout({ ...cfg, crossAttentionDim: 48 });
    await writeLoras(path.join(dir, 'mixed'), layout, syntheticFlats(layout, 3, 4), ['kohya']);
    writeFileSync(path.join(dir, 'mixed', 'lora_zz.safetensors'), writeSafetensors(loraToTensors(other, syntheticFlats(other, 1, 5)[0], 'kohya')));
    await build('mixed', 2);
    await alert.filter({ hasText: 'lora_zz does not match' }).waitFor();
    assert.equal(
      await alert.textContent(),
      "lora_zz does not match (the base UNet's layout): LoRA tensor lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_v.lora_down.weight in " +
        'lora_zz.safetensors has shape [1,48], the w2w layout needs [1,32]',
    );

    await writeLoras(path.join(dir, 'three'), layout, syntheticFlats(layout, 3, 6), ['kohya']);
    writeFileSync(path.join(dir, 'two-rows.csv'), 'Male,Young\n1,0\n0,1\n');
    await build('three', 2, 'two-rows.csv');
    await alert.filter({ hasText: 'two-rows.csv has' }).waitFor();
    assert.equal(await alert.textContent(), "two-rows.csv has 2 rows and there are 3 LoRAs: without a file column, rows are taken in the LoRAs' order (lora_000, …), one each");
    assert.ok(!(await storedKeys(page)).some((k) => k.startsWith('w2w-space/local-build-mixed/') || k.startsWith('w2w-space/local-build-three/')));

    writeFileSync(path.join(dir, 'three-rows.csv'), 'Male\n1\n0\n1\n');
    await build('three', 5, 'three-rows.csv');
    await page.getByTestId('build-note').filter({ hasText: 'K = 5 reduced to 2: 3 LoRAs span at most 2 directions around their mean' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Built and made current: local-build-three · 3 LoRAs, K = 2, 1 attribute.' }).waitFor();
    assert.deepEqual(app.errors, []);
  });
});
