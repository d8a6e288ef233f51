// The identity library and the space's housekeeping end to end (headless Chromium, wasm backend, the
// fixture in hub layout): saving keeps the edited coefficients (what Export writes) and the settings that
// made them; rename, duplicate, load, delete, a reload; importing identities (a diffusers LoRA, a PEFT
// adapter with its config, a w2w .pt; bad files named) with their residual and nearest training
// identities; the space's stored size and "Clear space", gone after a reload.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseUNetConfig } from '../src/engine/io/config';
import { openPath } from '../src/engine/io/source-node';
import { loraLayout } from '../src/engine/models/lora';
import { spaceFolderFromPath } from '../src/engine/space/files-node';
import { loadSpace } from '../src/engine/space/load';
import { exportIdentity, importIdentity } from '../src/engine/space/transfer';
import { exportW2w, nudge, openAdvanced, readIdb, type AppPage } from './app-helpers';
import { importSpace, readyApp, waitReady, browserSuite } from './app-flow';
import { FIXTURES } from './server';

const FIXTURE = path.join(FIXTURES, 'tiny-sd-a');
const LORA = path.join(FIXTURE, 'lora', 'pytorch_lora_weights.safetensors');
const layout = loraLayout(parseUNetConfig(JSON.parse(readFileSync(path.join(FIXTURE, 'unet', 'config.json'), 'utf8'))));

interface StoredIdentity {
  name: string;
  coef: number[];
  settings: Record<string, unknown>;
}

/** The library's records as IndexedDB holds them (idb-keyval's default store). */
async function storedIdentities(page: Page): Promise<StoredIdentity[]> {
  const all = (await readIdb(page, {})) as Record<string, unknown>[];
  return all.filter((v) => v && typeof v === 'object' && 'coef' in v && 'settings' in v) as unknown as StoredIdentity[];
}

const entry = (page: Page, name: string) => page.getByTestId('library-entry').filter({ has: page.getByLabel(`name of ${name}`, { exact: true }) });

/** The attribute sliders stored with the current identity (the page's own database). */
const storedSliders = async (page: Page) =>
  (((await readIdb(page, { db: 'w2w-page', store: 'kv', key: 'identity' })) as { sliders?: Record<string, number> } | null)?.sliders ?? {});

const names = async (page: Page) => (await storedIdentities(page)).map((r) => r.name).sort();

/** Five neighbours "row r · file · cosine c", cosines descending and in [−1, 1]. */
async function checkNearest(page: Page): Promise<string[]> {
  await openAdvanced(page);
  const items = page.getByTestId('nearest').locator('li');
  await items.first().waitFor();
  const texts = await items.allTextContents();
  assert.equal(texts.length, 5);
  const cos = texts.map((t) => Number(/^row \d+ · .+ · cosine (-?\d\.\d{3})$/.exec(t)?.[1] ?? NaN));
  assert.ok(cos.every((c, i) => c >= -1 && c <= 1 && (i === 0 || c <= cos[i - 1])), JSON.stringify(texts));
  return texts;
}

describe('identity library and space storage (wasm)', () => {
  const suite = browserSuite();
  let app: AppPage;
  let edited: Float32Array;

  test('save keeps the edited coefficients and records sliders, debias, switchAt and PC offsets', { timeout: 240_000 }, async () => {
    app = await readyApp(suite.browser(), suite.server());
    await importSpace(app);
    const { page } = app;
    // Sample renders at once: a small one.
    await page.getByLabel('Steps', { exact: true }).fill('1');
    await page.getByLabel('Size').selectOption('64');
    await page.getByRole('button', { name: 'Sample identity' }).click();
    await page.getByTestId('identity-name').waitFor();
    await checkNearest(page);
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
    // Delete offers Undo, which puts the identity back; deleted again, it stays gone.
    await page.getByRole('button', { name: 'Delete Renamed (copy)' }).click();
    await page.getByLabel('name of Renamed (copy)').waitFor({ state: 'detached' });
    assert.deepEqual(await names(page), ['Renamed']);
    assert.equal(await page.getByTestId('deleted-note').textContent(), 'Deleted Renamed (copy). Undo');
    await page.getByTestId('deleted-note').getByRole('button', { name: 'Undo' }).click();
    await entry(page, 'Renamed (copy)').waitFor();
    assert.deepEqual(await names(page), ['Renamed', 'Renamed (copy)']);
    assert.equal(await page.getByTestId('deleted-note').count(), 0);
    await page.getByRole('button', { name: 'Delete Renamed (copy)' }).click();
    await page.getByLabel('name of Renamed (copy)').waitFor({ state: 'detached' });
    assert.deepEqual(await names(page), ['Renamed']);

    // Slider moves are written once they pause, and come back after a reload.
    await page.getByRole('tab', { name: 'Create' }).click();
    await nudge(page, 'Male', 3);
    for (let t = Date.now(); (await storedSliders(page)).Male !== 0.3; ) {
      assert.ok(Date.now() - t < 5_000, `stored sliders: ${JSON.stringify(await storedSliders(page))}`);
      await page.waitForTimeout(100);
    }
    await page.reload();
    await waitReady(app);
    await page.getByTestId('identity-name').filter({ hasText: 'Renamed (copy)' }).waitFor();
    assert.equal(await page.getByRole('slider', { name: 'Male', exact: true }).inputValue(), '0.3');
    await page.getByRole('tab', { name: 'Library' }).click();
    await entry(page, 'Renamed').getByTestId('library-edits').waitFor();
    assert.equal(await page.getByTestId('library-entry').count(), 1);
    assert.deepEqual(app.errors, []);
  });

  test('import identities: residual shown, nearest identities, added to the library; bad files named', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Create' }).click();
    await page.getByTestId('space-ready').waitFor({ timeout: 60_000 });
    const input = page.getByLabel('Import identity…');
    const note = page.getByTestId('import-note');

    // The fixture's diffusers LoRA (unet.<module>.lora_A.weight, no alpha: diffusers applies it at 1), far
    // outside the 48-component span.
    const space = await loadSpace(spaceFolderFromPath(path.join(FIXTURE, 'w2w-space')), { k: 48, layout });
    const expected = (await importIdentity(space, layout, await openPath(LORA))).residual;
    await input.setInputFiles(LORA);
    await note.filter({ hasText: /relative residual/ }).waitFor();
    assert.equal(
      await note.textContent(),
      "pytorch_lora_weights.safetensors: LoRA strength 1 (no alpha in the file: alpha = rank, diffusers' default), " +
        `projected onto the space, relative residual ‖θ − θ̂‖/‖θ‖ = ${expected.toPrecision(3)}`,
    );
    await page.getByTestId('identity-name').filter({ hasText: 'pytorch_lora_weights' }).waitFor();
    await checkNearest(page);

    // A PEFT adapter with its config (an identity inside the span: residual at fp32 rounding), then w2w .pt.
    const dir = mkdtempSync(path.join(tmpdir(), 'w2w-import-'));
    const files = exportIdentity(space, layout, space.sample(11), 'peft');
    for (const f of files) writeFileSync(path.join(dir, path.basename(f.path)), f.bytes);
    await input.setInputFiles(files.map((f) => path.join(dir, path.basename(f.path))));
    await note.filter({ hasText: /^adapter_model\.safetensors: LoRA strength 27 \(adapter_config\.json\), projected/ }).waitFor();
    const residual = Number(/= (\S+)$/.exec((await note.textContent()) ?? '')?.[1]);
    assert.ok(residual < 1e-4, `PEFT residual ${residual}`);
    const [w2w] = exportIdentity(space, layout, Float32Array.from(edited), 'w2w');
    await input.setInputFiles({ name: 'w2wmodel.pt', mimeType: 'application/octet-stream', buffer: Buffer.from(w2w.bytes) });
    await note.filter({ hasText: 'w2wmodel.pt: w2w coefficients, read exactly (relative residual 0)' }).waitFor();
    assert.deepEqual(Array.from(await exportW2w(page)), Array.from(edited));

    const bad: [Parameters<typeof input.setInputFiles>[0], RegExp][] = [
      [{ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.alloc(16) }, /^junk\.safetensors: /],
      [{ name: 'adapter_config.json', mimeType: 'application/json', buffer: Buffer.from('{}') }, /^adapter_config\.json: choose one weights file/],
      [{ name: 'adapter_model.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(files[0].bytes) }, /^adapter_model\.safetensors: a PEFT adapter states its strength/],
      [{ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.alloc(8) }, /^photo\.png: not an identity file/],
      [[{ name: 'a.safetensors', mimeType: 'application/octet-stream', buffer: readFileSync(LORA) }, { name: 'adapter_config.json', mimeType: 'application/json', buffer: Buffer.from('{"lora_alpha": "x"}') }], /^adapter_config\.json: lora_alpha must be a positive number/],
    ];
    for (const [file, message] of bad) {
      await input.setInputFiles(file);
      await page.getByRole('alert').filter({ hasText: message }).waitFor();
    }
    assert.deepEqual(await names(page), ['Renamed', 'adapter_model', 'pytorch_lora_weights', 'w2wmodel']);
    await app.shot('app-library-import.png');
    assert.deepEqual(app.errors, []);
  });

  test('the space\'s stored size and Clear space; still gone after a reload, the library kept', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Models' }).click();
    const storage = page.getByTestId('space-storage');
    await storage.filter({ hasText: /^w2w space: [\d.]+ (kB|MB) stored/ }).waitFor();
    assert.ok(Number(await storage.getAttribute('data-bytes')) > 48 * 4 * layout.size, 'V_k alone is 48 × D floats');
    // Clear space asks first: "Keep" keeps it, "Yes, clear space" clears.
    await page.getByRole('button', { name: 'Clear space' }).click();
    const ask = page.getByRole('group', { name: /^Delete the stored w2w space and the current identity/ });
    await ask.getByRole('button', { name: 'Keep' }).click();
    assert.ok(Number(await storage.getAttribute('data-bytes')) > 0);
    await page.getByRole('button', { name: 'Clear space' }).click();
    await ask.getByRole('button', { name: 'Yes, clear space' }).click();
    await storage.filter({ hasText: /^no w2w space stored/ }).waitFor();
    await page.getByRole('tab', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'Import space' }).waitFor();

    await page.reload();
    await waitReady(app);
    await page.getByRole('tab', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'Import space' }).waitFor();
    assert.equal(await page.getByTestId('space-ready').count(), 0);
    await page.getByRole('tab', { name: 'Models' }).click();
    await storage.filter({ hasText: /^no w2w space stored/ }).waitFor();
    assert.equal((await names(page)).length, 4);
    await app.shot('app-library-storage.png');
    assert.deepEqual(app.errors, []);
  });
});
