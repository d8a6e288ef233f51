// The identity library end to end (headless Chromium, wasm backend, the fixture in hub layout): saving
// keeps the edited coefficients (what Export writes) and the settings that made them; rename, duplicate,
// load, delete, a reload.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseUNetConfig } from '../src/engine/io/config';
import { fromBytes } from '../src/engine/io/source';
import { openPath } from '../src/engine/io/source-node';
import { loraLayout } from '../src/engine/models/lora';
import { spaceFolderFromPath } from '../src/engine/space/files-node';
import { loadSpace } from '../src/engine/space/load';
import { exportIdentity, importIdentity } from '../src/engine/space/transfer';
import { loadTensor } from '../src/engine/torch/index';
import type { AppPage } from './app-helpers';
import { importSpace, readyApp, waitReady, wasmSuite } from './app-flow';
import { FIXTURES } from './server';

const FIXTURE = path.join(FIXTURES, 'tiny-sd-a');
const LORA = path.join(FIXTURE, 'lora', 'pytorch_lora_weights.safetensors');
const layout = loraLayout(parseUNetConfig(JSON.parse(readFileSync(path.join(FIXTURE, 'unet', 'config.json'), 'utf8'))));

/** Exports the current identity as w2wmodel.pt and returns its coefficients. */
async function exportW2w(page: Page): Promise<Float32Array> {
  await page.getByLabel('Format').selectOption('w2w');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const d = await download;
  return (await loadTensor(fromBytes(d.suggestedFilename(), await readFile((await d.path())!)))).read();
}

interface StoredIdentity {
  name: string;
  coef: number[];
  settings: Record<string, unknown>;
}

/** The library's records as IndexedDB holds them (idb-keyval's default store). */
function storedIdentities(page: Page): Promise<StoredIdentity[]> {
  return page.evaluate(
    () =>
      new Promise<StoredIdentity[]>((resolve, reject) => {
        const open = indexedDB.open('keyval-store');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('keyval').objectStore('keyval').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            open.result.close();
            const recs = (all.result as Record<string, unknown>[]).filter((v) => v && typeof v === 'object' && 'coef' in v && 'settings' in v);
            resolve(recs.map((v) => ({ name: v.name as string, coef: Array.from(v.coef as Float32Array), settings: v.settings as Record<string, unknown> })));
          };
        };
      }),
  );
}

/** Moves a range input by `steps` key presses (negative: down). */
async function nudge(page: Page, name: string, steps: number): Promise<void> {
  const slider = page.getByRole('slider', { name, exact: true });
  await slider.focus();
  for (let i = 0; i < Math.abs(steps); i++) await page.keyboard.press(steps > 0 ? 'ArrowRight' : 'ArrowLeft');
}

const entry = (page: Page, name: string) => page.getByTestId('library-entry').filter({ has: page.getByLabel(`name of ${name}`, { exact: true }) });
const names = async (page: Page) => (await storedIdentities(page)).map((r) => r.name).sort();

describe('identity library (wasm)', () => {
  const suite = wasmSuite();
  let app: AppPage;
  let edited: Float32Array;

  test('save keeps the edited coefficients and records sliders, debias, switchAt and PC offsets', { timeout: 240_000 }, async () => {
    app = await readyApp(suite.browser(), suite.server());
    await importSpace(app);
    const { page } = app;
    await page.getByRole('button', { name: 'Sample identity' }).click();
    await page.getByTestId('identity-name').waitFor();
    const base = await exportW2w(page);

    await nudge(page, 'PC 1', 5);
    await nudge(page, 'Male', 5);
    await page.getByLabel('Debias against (edits keep these attributes fixed)').selectOption(['Young']);
    await nudge(page, 'Inject edits from timestep', -10);
    edited = await exportW2w(page);
    assert.notDeepEqual(Array.from(edited), Array.from(base));

    await page.getByLabel('Name', { exact: true }).fill('Edited');
    await page.getByRole('button', { name: 'Save to library' }).click();
    await page.getByTestId('identity-name').filter({ hasText: 'Edited' }).waitFor();
    const [rec] = await storedIdentities(page);
    assert.equal(rec.name, 'Edited');
    assert.deepEqual(rec.coef, Array.from(edited), 'the library keeps what Export writes, edits included');
    const s = rec.settings;
    assert.deepEqual([s.sliders, s.debias, s.switchAt], [{ Male: 0.5 }, ['Young'], 700]);
    assert.deepEqual(s.pcOffsets, [0.5, 0, 0, 0, 0, 0]);
    assert.equal(typeof s.sampled, 'number');
    assert.equal((s.alphas as { direction: string }[])[0].direction, 'Male~Young');

    await page.getByRole('tab', { name: 'Library' }).click();
    assert.equal(await entry(page, 'Edited').getByTestId('library-edits').textContent(), 'Male +0.5, PC 1 +0.5 · debiased against Young · edits from t ≤ 700');
    assert.deepEqual(app.errors, []);
  });

  test('rename, duplicate, load (the edits are in the coefficients) and delete; a reload keeps the library', { timeout: 120_000 }, async () => {
    const { page } = app;
    await entry(page, 'Edited').getByLabel('name of Edited').fill('Renamed');
    await entry(page, 'Edited').getByRole('button', { name: 'Rename' }).click();
    await entry(page, 'Renamed').waitFor();
    await entry(page, 'Renamed').getByRole('button', { name: 'Duplicate' }).click();
    await entry(page, 'Renamed (copy)').waitFor();
    assert.deepEqual(await names(page), ['Renamed', 'Renamed (copy)']);

    await entry(page, 'Renamed (copy)').getByRole('button', { name: 'Load' }).click();
    await page.getByTestId('identity-name').filter({ hasText: 'Renamed (copy)' }).waitFor();
    assert.equal(await page.getByRole('slider', { name: 'Male', exact: true }).inputValue(), '0');
    assert.deepEqual(Array.from(await exportW2w(page)), Array.from(edited));

    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByRole('button', { name: 'Delete Renamed (copy)' }).click();
    await page.getByLabel('name of Renamed (copy)').waitFor({ state: 'detached' });
    assert.deepEqual(await names(page), ['Renamed']);

    await page.reload();
    await waitReady(app);
    await page.getByRole('tab', { name: 'Library' }).click();
    await entry(page, 'Renamed').getByTestId('library-edits').waitFor();
    assert.equal(await page.getByTestId('library-entry').count(), 1);
    assert.deepEqual(app.errors, []);
  });
});
