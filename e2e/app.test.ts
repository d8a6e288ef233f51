// The app end to end in headless Chromium against a local mirror in hub layout. The whole flow runs on
// the wasm backend (WebGPU off: the fallback and its note); WebGPU on SwiftShader, 50–150× slower,
// runs the first run and a one-step generation with a sampled identity.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { appServer, BROKEN, imageBytes, MODEL, modelBytes, openApp, SPACE, type AppPage } from './app-helpers';
import type { TestServer } from './server';

const MAX_TASK_MS = 100;
const NEWEST = '.gallery img[alt^="generated image"]';

/** Opens the app on the fixture mirror, downloads the model and waits until it is loaded. */
async function firstRun(browser: Browser, server: TestServer, backend: string): Promise<AppPage> {
  const app = await openApp(browser, `${server.url}/?hub=${encodeURIComponent(server.url)}&model=${MODEL}&space=${SPACE}`);
  const { page } = app;
  await page.getByTestId('backend').waitFor();
  assert.equal(await page.getByTestId('backend').textContent(), backend);
  await page.getByTestId('download-total').waitFor();
  assert.equal(Number(await page.getByTestId('download-total').getAttribute('data-bytes')), modelBytes());
  assert.match((await page.getByTestId('download-total').textContent()) ?? '', /^Total \d+\.\d MB$/);
  await page.getByRole('button', { name: /^Download/ }).click();
  await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
  const unetGets = server.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`${MODEL}/resolve/main/unet/diffusion_pytorch_model.safetensors`));
  assert.equal(unetGets.length, 1);
  return app;
}

/** Clicks Generate and waits for a new gallery image; asserts no main-thread task reached 100 ms. */
async function generate(app: AppPage, timeout: number): Promise<Buffer> {
  const { page } = app;
  const count = await page.locator(NEWEST).count();
  await app.resetLongTasks();
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.locator(NEWEST).nth(count).waitFor({ timeout });
  const tasks = await app.longTasks();
  assert.ok(Math.max(0, ...tasks) < MAX_TASK_MS, `main-thread long tasks during generation: ${JSON.stringify(tasks)} ms`);
  return imageBytes(page, NEWEST);
}

async function importSpaceAndSample(app: AppPage): Promise<void> {
  const { page } = app;
  await page.getByRole('button', { name: 'Import space' }).click();
  await page.getByTestId('space-ready').or(page.locator('.space-import [role=alert]')).waitFor({ timeout: 60_000 });
  const alert = page.locator('.space-import [role=alert]');
  if (await alert.count()) assert.fail(`space import failed: ${await alert.textContent()}`);
  await page.getByRole('button', { name: 'Sample identity' }).click();
  await page.getByTestId('identity-name').waitFor();
}

describe('app, WebGPU off (wasm)', () => {
  let server: TestServer;
  let browser: Browser;
  let app: AppPage;
  before(async () => {
    server = await appServer();
    browser = await launchChromium({ webgpu: false });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('first run: wasm fallback with a note, sizes, download, model ready', { timeout: 120_000 }, async () => {
    app = await firstRun(browser, server, 'WebAssembly (CPU)');
    await app.page.getByRole('tab', { name: 'Models' }).click();
    assert.match((await app.page.getByTestId('speed-note').textContent()) ?? '', /^No WebGPU \((no adapter|navigator\.gpu missing)/);
    await app.shot('app-models.png');
    await app.page.getByRole('tab', { name: 'Create' }).click();
    assert.deepEqual(app.errors, []);
  });

  test('sample an identity, generate; an attribute slider changes the image', { timeout: 240_000 }, async () => {
    const { page } = app;
    await page.getByLabel('Steps').fill('3');
    await page.getByLabel('Size').selectOption('64');
    await importSpaceAndSample(app);
    const first = await generate(app, 120_000);
    assert.equal(first.subarray(1, 4).toString(), 'PNG');
    // Keyboard: focus the attribute's slider and move it to its end.
    const slider = page.getByRole('slider', { name: 'Male', exact: true });
    await slider.focus();
    await page.keyboard.press('End');
    assert.equal(await slider.inputValue(), '2');
    const edited = await generate(app, 120_000);
    assert.notDeepEqual(edited, first);
    assert.match((await page.locator(NEWEST).first().getAttribute('alt')) ?? '', /^generated image: "sks person", sample \d+ \(Male \+2/);
    await app.shot('app-create.png');
    assert.deepEqual(app.errors, []);
  });

  test('save to the library and export every format', { timeout: 60_000 }, async () => {
    const { page } = app;
    await page.getByLabel('Name', { exact: true }).fill('Ada');
    await page.getByRole('button', { name: 'Save to library' }).click();
    await page.getByTestId('identity-name').filter({ hasText: 'Ada' }).waitFor();
    const expected: Record<string, string[]> = {
      w2w: ['w2wmodel.pt'],
      peft: ['unet_adapter_model.safetensors', 'unet_adapter_config.json'],
      kohya: ['Ada.safetensors'],
      diffusers: ['pytorch_lora_weights.safetensors'],
    };
    for (const [format, names] of Object.entries(expected)) {
      await page.getByLabel('Format').selectOption(format);
      const downloads = names.map(() => page.waitForEvent('download'));
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      const got = await Promise.all(downloads);
      assert.deepEqual(got.map((d) => d.suggestedFilename()).sort(), [...names].sort());
      for (const d of got) {
        const bytes = await readFile((await d.path())!);
        if (d.suggestedFilename().endsWith('.pt')) assert.equal(bytes.subarray(0, 2).toString(), 'PK');
        if (d.suggestedFilename().endsWith('.safetensors')) {
          const n = Number(bytes.readBigUInt64LE(0));
          const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
          assert.ok(Object.keys(header).length > 10, `${d.suggestedFilename()}: ${Object.keys(header).length} keys`);
        }
      }
    }
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByTestId('library-entry').first().waitFor();
    await app.shot('app-library.png');
  });

  test('reload: model from the cache, library intact', { timeout: 120_000 }, async () => {
    const { page } = app;
    const before = server.requests.length;
    await page.reload();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    const weights = server.requests.slice(before).filter((r) => r.method === 'GET' && r.path.includes('/resolve/'));
    assert.deepEqual(weights, [], 'model and space come from browser storage');
    await page.getByTestId('space-ready').waitFor();
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByTestId('library-entry').first().waitFor();
    assert.equal(await page.getByTestId('library-entry').count(), 1);
    assert.equal(await page.getByRole('textbox', { name: 'name of Ada' }).inputValue(), 'Ada');
  });

  test('offline: the service worker serves the app shell', { timeout: 60_000 }, async () => {
    const { page, context } = app;
    await page.evaluate(() => navigator.serviceWorker.ready);
    await context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole('heading', { name: 'weights2weights' }).waitFor();
      await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    } finally {
      await context.setOffline(false);
    }
  });

  test('a corrupt weight file is named, re-fetched once, and reported', { timeout: 60_000 }, async () => {
    const broken = await openApp(browser, `${server.url}/?hub=${encodeURIComponent(server.url)}&model=${BROKEN}`);
    await broken.page.getByRole('button', { name: /^Download/ }).click();
    const alert = broken.page.getByTestId('model-error');
    await alert.waitFor({ timeout: 30_000 });
    assert.match((await alert.textContent()) ?? '', /unet\/diffusion_pytorch_model\.safetensors is corrupt: .*header length/);
    const gets = server.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`${BROKEN}/resolve/main/unet/diffusion_pytorch_model.safetensors`));
    assert.equal(gets.length, 2);
    await broken.page.getByRole('button', { name: 'Retry' }).waitFor();
    await broken.shot('app-corrupt.png');
    await broken.context.close();
  });
});

describe('app on WebGPU (SwiftShader)', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    server = await appServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('download, sample an identity, generate one step', { timeout: 360_000 }, async () => {
    const app = await firstRun(browser, server, 'WebGPU');
    const { page } = app;
    await page.getByLabel('Steps').fill('1');
    await page.getByLabel('Scheduler').selectOption('ddim');
    await page.getByLabel('Size').selectOption('64');
    await importSpaceAndSample(app);
    const png = await generate(app, 330_000);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    await app.shot('app-create-webgpu.png');
    assert.deepEqual(app.errors, []);
  });
});
