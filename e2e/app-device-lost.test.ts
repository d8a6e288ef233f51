// A lost GPU device mid-inversion, on WebGPU (SwiftShader): the test hook (?testHooks=1) destroys the device
// the engine worker's sessions run on, after step 1 of 2 is checkpointed. The page must replace the engine
// worker, load the model again from the cache (no download), resume from the checkpoint and finish; the result
// lands in the library. Two steps at 64 px: each gradient step costs tens of seconds on SwiftShader. Then the
// same during a two-step generation: it runs again on another fresh worker and lands in the gallery.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { readIdb, type AppPage } from './app-helpers';
import { browserSuite, importSpace, invertSettings, readyApp, stepOf } from './app-flow';
import { FIXTURES } from './server';

/** The step of the inversion checkpoint in IndexedDB (idb-keyval's default store), 0 if none. */
const checkpointStep = async (page: Page) =>
  ((await readIdb(page, { key: 'w2w-inversion/job' })) as { state?: { adam?: { step?: number } } } | null)?.state?.adam?.step ?? 0;

describe('GPU device lost (WebGPU on SwiftShader)', () => {
  const suite = browserSuite({ webgpu: true });
  let app: AppPage;
  /** Engine workers started after the first one (each recovery starts one). */
  const engines: string[] = [];

  test('destroyed mid-inversion: a fresh engine worker resumes from the checkpoint and finishes', { timeout: 900_000 }, async (t) => {
    const t0 = Date.now();
    app = await readyApp(suite.browser(), suite.server(), 'backend=webgpu&testHooks=1');
    const { page } = app;
    page.on('worker', (w) => w.url().includes('engine.worker') && engines.push(w.url()));
    assert.match((await page.getByTestId('model-ready').textContent()) ?? '', /· webgpu ·/);
    await importSpace(app);
    await page.getByRole('tab', { name: 'Invert' }).click();
    await page.getByLabel('Choose photo…').setInputFiles(path.join(FIXTURES, 'tiny-sd-a', 'inversion-photo.png'));
    await page.getByTestId('mask-canvas').waitFor();
    await invertSettings(page, { steps: 2, checkpoint: 1, preview: 0 });
    await page.getByRole('button', { name: 'Invert', exact: true }).click();
    // On WebGPU the space's V_k joins the model's weights on the GPU and the step runs as one graph.
    await page.getByText(/^V_k \(k = \d+\) on the GPU as float32 \(.+\): θ and ∂L\/∂c are computed inside the gradient graph$/).first().waitFor({ timeout: 60_000 });
    const t1 = Date.now();
    await page.waitForFunction(() => /step 1 \//.test(document.querySelector('[data-testid="inversion-status"]')?.textContent ?? ''), undefined, { timeout: 400_000 });
    const first = /first [-\d.e]+,/.exec((await page.getByTestId('loss-curve').getAttribute('aria-label')) ?? '')?.[0];
    assert.ok(first);
    for (let i = 0; (await checkpointStep(page)) !== 1; i++) {
      assert.ok(i < 100, 'no checkpoint at step 1');
      await page.waitForTimeout(100);
    }
    // Step 2 runs now (tens of seconds): the device goes away in the middle of it.
    const downloadsBefore = suite.server().requests.filter((r) => r.method === 'GET' && r.path.includes('/resolve/main/')).length;
    const t2 = Date.now();
    await page.evaluate(() => (window as unknown as { __w2wTest: { destroyDevice(): Promise<void> } }).__w2wTest.destroyDevice());
    const note = page.getByTestId('device-note');
    await note.waitFor({ timeout: 120_000 });
    const tLost = Date.now();
    await note.getByText('GPU device lost; sessions rebuilt, resuming…').waitFor({ timeout: 120_000 });
    const t3 = Date.now();
    await page.getByTestId('invert-result').or(page.getByTestId('invert-error')).waitFor({ timeout: 500_000 });
    const t4 = Date.now();
    t.diagnostic(`ready + space ${t1 - t0} ms, step 1 ${t2 - t1} ms, loss noticed ${tLost - t2} ms, new engine ready ${t3 - tLost} ms, step 2 again ${t4 - t3} ms`);
    if (await page.getByTestId('invert-error').count()) assert.fail(`inversion failed: ${await page.getByTestId('invert-error').textContent()}`);
    await page.getByText('GPU device lost: resumed from the checkpoint at step 1 of 2.').waitFor({ timeout: 1000 });
    assert.equal(engines.length, 1, `a second engine worker started: ${engines}`);
    assert.equal(await stepOf(page), 2);
    // Resumed, not restarted: step 1's loss from the checkpoint, then step 2 alone (a restart would add step 1 again).
    assert.equal(await page.getByTestId('loss-curve').getAttribute('data-points'), '2');
    assert.ok((await page.getByTestId('loss-curve').getAttribute('aria-label'))?.includes(first));
    // The model came from the cache: no file fetched again.
    const downloadsAfter = suite.server().requests.filter((r) => r.method === 'GET' && r.path.includes('/resolve/main/')).length;
    assert.equal(downloadsAfter, downloadsBefore);
    assert.match((await page.getByTestId('invert-result').textContent()) ?? '', /inverted inversion-photo\.png/);
    await app.shot('app-device-lost.png');
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByRole('textbox', { name: 'name of inverted inversion-photo.png' }).waitFor();
    assert.equal(await note.textContent(), 'GPU device lost; sessions rebuilt, and the job resumed and finished. Dismiss');
    assert.deepEqual(app.errors, []);
  });

  test('destroyed mid-generation: the generation runs again on a fresh engine worker', { timeout: 600_000 }, async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('tab', { name: 'Create' }).click();
    await page.getByLabel('Steps', { exact: true }).fill('2');
    await page.getByLabel('Scheduler').selectOption('ddim');
    await page.getByLabel('Size').selectOption('64');
    // Sample renders the new identity at once: that generation loses its device.
    await page.getByRole('button', { name: 'Sample identity' }).click();
    await page.getByTestId('identity-name').waitFor();
    await page.getByRole('img', { name: 'preview, step 1 of 2' }).waitFor({ timeout: 300_000 });
    await page.evaluate(() => (window as unknown as { __w2wTest: { destroyDevice(): Promise<void> } }).__w2wTest.destroyDevice());
    await page.getByTestId('device-note').getByText('GPU device lost; sessions rebuilt, resuming…').waitFor({ timeout: 120_000 });
    await page.locator('.gallery img[alt^="generated image"]').first().waitFor({ timeout: 400_000 });
    await page.getByTestId('device-note').getByText('GPU device lost; sessions rebuilt, and the job resumed and finished.').waitFor();
    assert.equal(engines.length, 2, `one more engine worker: ${engines}`);
    assert.equal(await page.locator('.gallery img[alt^="generated image"]').count(), 1);
    assert.deepEqual(app.errors, []);
  });
});
