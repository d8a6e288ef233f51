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
import { loraLayout } from '../src/engine/models/lora';
import { buildSpace } from '../src/engine/space/build';
import { labelsFromCsv } from '../src/engine/space/labels-csv';
import { syntheticFlats, writeLoras } from '../test/space/build-loras';
import type { AppPage } from './app-helpers';
import { browserSuite, readyApp } from './app-flow';
import { FIXTURES } from './server';

const layout = loraLayout(parseUNetConfig(JSON.parse(readFileSync(path.join(FIXTURES, 'tiny-sd-a', 'unet', 'config.json'), 'utf8'))));
const K = 4;

/** idb-keyval's keys in the page (the space worker stores spaces under w2w-space/<id>/…). */
const storedKeys = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('keyval-store');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('keyval').objectStore('keyval').getAllKeys();
          all.onsuccess = () => (open.result.close(), resolve(all.result.map(String)));
        };
      }),
  );

describe('build a space in the tab (wasm)', () => {
  const suite = browserSuite();
  let app: AppPage;
  const dir = mkdtempSync(path.join(tmpdir(), 'w2w-tab-build-'));

  test('Cancel stops the build and stores nothing', { timeout: 120_000 }, async () => {
    await writeLoras(path.join(dir, 'many'), layout, syntheticFlats(layout, 300, 5, 8), ['kohya']);
    app = await readyApp(suite.browser(), suite.server());
    const { page } = app;
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByLabel('LoRA folder…').setInputFiles(path.join(dir, 'many'));
    await page.getByTestId('build-loras').filter({ hasText: '300 LoRA files from many' }).waitFor();
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
});
