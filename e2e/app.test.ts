// The app end to end in headless Chromium against a local mirror in hub layout, on the wasm backend
// (WebGPU off: the fallback and its note) and on WebGPU (SwiftShader, 50–150× slower: one-step
// generations, two inversion steps): download, sample, an attribute slider changes the image, save and
// export every format, invert, reload with the library intact, a corrupt file named. Only wasm also runs
// label-free directions, cancel/resume, offline and the interrupted download.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { appServer, BROKEN, fixtureTensorBytes, imageBytes, MODEL, modelBytes, openAdvanced, openApp, SPACE, type AppPage } from './app-helpers';
import { parseUNetConfig } from '../src/engine/io/config';
import { loraLayout } from '../src/engine/models/lora';
import { FIXTURES, type TestServer } from './server';

const MAX_TASK_MS = 100;

const safetensorsKeys = (b: Buffer): string[] =>
  Object.keys(JSON.parse(b.subarray(8, 8 + Number(b.readBigUInt64LE(0))).toString())).filter((k) => k !== '__metadata__');
const NEWEST = '.gallery img[alt^="generated image"]';
const RESULT = '[data-testid=result] img';


/** Bytes a space import streams from the fixture's folder (every file there is read). */
const spaceBytes = () => readdirSync(`${FIXTURES}/tiny-sd-a/w2w-space`).reduce((a, f) => a + statSync(`${FIXTURES}/tiny-sd-a/w2w-space/${f}`).size, 0);

/** Whether an element lies wholly inside the window, which is not scrolled. */
async function inView(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  const view = page.viewportSize()!;
  assert.ok(box && box.y >= 0 && box.x >= 0 && box.y + box.height <= view.height && box.x + box.width <= view.width, `${selector} at ${JSON.stringify(box)} in ${JSON.stringify(view)}`);
  assert.equal(await page.evaluate(() => window.scrollY), 0);
}

/**
 * A fresh profile at 1280×800: what the app does is said, one primary button downloads the model and the
 * space (their sizes together), the other tabs say why they wait; the model loads and the space imports.
 */
async function firstRun(browser: Browser, server: TestServer, backend: string): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const app = await openApp(browser, `${server.url}/?hub=${encodeURIComponent(server.url)}&model=${MODEL}&space=${SPACE}`, context);
  const { page } = app;
  await page.getByTestId('backend').waitFor();
  assert.equal(await page.getByTestId('backend').textContent(), backend);
  await page.getByTestId('download-total').waitFor();
  assert.equal(Number(await page.getByTestId('download-total').getAttribute('data-bytes')), modelBytes());
  assert.match((await page.getByTestId('download-total').textContent()) ?? '', /^Total \d+\.\d MB$/);
  assert.match((await page.getByTestId('intro').textContent()) ?? '', /^weights2weights samples a person as a small set of weights/);
  assert.equal(await page.getByRole('tab', { name: 'Create' }).getAttribute('title'), 'opens once a model is loaded (Models: Download)');
  const auto = page.getByLabel('Precision').locator('option[value=auto]');
  assert.equal(await auto.textContent(), backend === 'WebGPU' ? /shader-f16: yes/.test((await page.getByTestId('capabilities').textContent()) ?? '') ? 'auto: fp16 here (shader-f16)' : 'auto: fp32 here (no shader-f16)' : 'auto: fp32 here (no WebGPU)');
  const download = page.getByRole('button', { name: /^Download/ });
  assert.equal(await download.textContent(), `Download model + space (${((modelBytes() + spaceBytes()) / 1e6).toFixed(1)} MB)`);
  assert.equal(await download.getAttribute('class'), 'primary big');
  await inView(page, 'button.primary.big');
  await download.click();
  await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
  await page.getByTestId('space-ready').waitFor({ timeout: 60_000 });
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
  assert.ok(Math.max(0, ...tasks) < MAX_TASK_MS, `main-thread long tasks during generation: ${JSON.stringify(tasks)} ms; long frames ${JSON.stringify(await app.frames())}`);
  return imageBytes(page, NEWEST);
}

/** Sample (the space came with Download): the new identity renders at once, its image where Sample was clicked. */
async function sampleRenders(app: AppPage, timeout: number): Promise<Buffer> {
  const { page } = app;
  await page.getByRole('tab', { name: 'Create' }).click();
  await page.getByTestId('space-ready').waitFor();
  // The view a fresh visitor has: filling the small test settings may have scrolled the page or the result column.
  await page.evaluate(() => [window, document.querySelector('.create-result')].forEach((e) => e?.scrollTo(0, 0)));
  await inView(page, 'button.primary >> text=Sample identity');
  await page.getByRole('button', { name: 'Sample identity' }).click();
  await page.getByTestId('identity-name').waitFor();
  await page.locator(RESULT).waitFor({ timeout });
  await inView(page, RESULT);
  assert.match((await page.locator(RESULT).getAttribute('alt')) ?? '', /^generated image: "sks person", sample \d+, seed 0$/);
  assert.equal(await page.locator(NEWEST).count(), 1, 'the gallery keeps it too');
  return imageBytes(page, RESULT);
}

/** Moves the Male slider to its end by keyboard and generates: the image must differ from `before`. */
async function sliderChangesImage(app: AppPage, before: Buffer, timeout: number): Promise<void> {
  const { page } = app;
  const slider = page.getByRole('slider', { name: 'Male', exact: true });
  await slider.focus();
  await page.keyboard.press('End');
  assert.equal(await slider.inputValue(), '2');
  const edited = await generate(app, timeout);
  assert.notDeepEqual(edited, before);
  assert.match((await page.locator(NEWEST).first().getAttribute('alt')) ?? '', /^generated image: "sks person", sample \d+ \(Male \+2/);
}

/** Saves the current identity as "Ada" and exports it in every format (keys checked against the layout). */
async function saveAndExport(app: AppPage): Promise<void> {
  const { page } = app;
  await page.getByLabel('Name', { exact: true }).fill('Ada');
  await page.getByRole('button', { name: 'Save to library' }).click();
  await page.getByTestId('identity-name').filter({ hasText: 'Ada' }).waitFor();
  // Each export is one download: the w2w coefficients as torch.save, PEFT as a zip of Ada/unet/…,
  // kohya and diffusers as safetensors whose keys are checked against the fixture's LoRA layout.
  const layout = loraLayout(parseUNetConfig(JSON.parse(readFileSync(`${FIXTURES}/tiny-sd-a/unet/config.json`, 'utf8'))));
  const expected: Record<string, [string, (b: Buffer) => void]> = {
    w2w: ['Ada.w2w.pt', (b) => assert.equal(b.subarray(0, 2).toString(), 'PK')],
    peft: ['Ada-peft.zip', (b) => {
      assert.equal(b.subarray(0, 2).toString(), 'PK');
      assert.ok(b.includes('Ada/unet/adapter_model.safetensors') && b.includes('Ada/unet/adapter_config.json'));
    }],
    kohya: ['Ada.safetensors', (b) => assert.equal(safetensorsKeys(b).filter((k) => k.endsWith('.alpha')).length, layout.modules.size)],
    diffusers: ['Ada.diffusers.safetensors', (b) => assert.equal(safetensorsKeys(b).length, layout.tensors.length)],
  };
  for (const [format, [name, check]] of Object.entries(expected)) {
    await page.getByLabel('Format').selectOption(format);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const d = await download;
    assert.equal(d.suggestedFilename(), name);
    check(await readFile((await d.path())!));
  }
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByTestId('library-entry').first().waitFor();
  await app.shot('app-library-1280.png');
}

/**
 * Reloads: no model or space request, both ready from browser storage, the library's two entries intact,
 * the gallery and the current identity as they were.
 */
async function reloadIntact(app: AppPage, server: TestServer, timeout = 60_000): Promise<void> {
  const { page } = app;
  await page.getByRole('tab', { name: 'Create' }).click();
  const gallery = await page.locator(NEWEST).evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')));
  const identity = await page.getByTestId('identity-name').textContent();
  const newest = await imageBytes(page, NEWEST);
  assert.ok(gallery.length >= 2 && identity);
  const before = server.requests.length;
  await page.reload();
  await page.getByTestId('model-ready').waitFor({ timeout });
  const weights = server.requests.slice(before).filter((r) => r.method === 'GET' && r.path.includes('/resolve/'));
  assert.deepEqual(weights, [], 'model and space come from browser storage');
  await page.getByTestId('space-ready').waitFor();
  await page.getByTestId('identity-name').filter({ hasText: identity }).waitFor();
  assert.deepEqual(await page.locator(NEWEST).evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt'))), gallery);
  assert.deepEqual(await imageBytes(page, RESULT), newest, 'the newest image is back where results show');
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByTestId('library-entry').first().waitFor();
  assert.equal(await page.getByTestId('library-entry').count(), 2);
  assert.equal(await page.getByRole('textbox', { name: 'name of Ada' }).inputValue(), 'Ada');
}

/** A mirror whose UNet file is corrupt: the file is fetched twice, then named in the error with a Retry. */
async function corruptReported(browser: Browser, server: TestServer): Promise<void> {
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
    // What the loaded model needs: its UNet weights exactly; it fits, so no verdict note on wasm.
    const unetRow = app.page.getByTestId('needs-table').getByRole('row', { name: /^UNet weights/ });
    assert.equal(Number(await unetRow.locator('td[data-bytes]').getAttribute('data-bytes')), await fixtureTensorBytes('unet/diffusion_pytorch_model.safetensors'));
    assert.equal(await app.page.getByTestId('needs-verdict').count(), 0);
    await app.shot('app-models-1280.png');
    await app.page.getByRole('tab', { name: 'Create' }).click();
    assert.deepEqual(app.errors, []);
  });

  test('Sample renders in view; generate; the sks hint; an attribute slider changes the image', { timeout: 300_000 }, async () => {
    const { page } = app;
    // Two primary clicks from a fresh profile: Download (model + space), then Sample (at 3 steps, 64 px here:
    // the default 50 steps at 128 px take over a minute on wasm).
    await page.getByLabel('Steps', { exact: true }).fill('3');
    await page.getByLabel('Size').selectOption('64');
    const sampled = await sampleRenders(app, 120_000);
    assert.equal(sampled.subarray(1, 4).toString(), 'PNG');
    const prompt = page.getByRole('textbox', { name: /^Prompt/ });
    await prompt.fill('a person riding a horse');
    await page.getByTestId('sks-hint').waitFor();
    await prompt.fill('sks person');
    await page.getByTestId('sks-hint').waitFor({ state: 'detached' });
    const first = await generate(app, 120_000);
    assert.equal(first.subarray(1, 4).toString(), 'PNG');
    await sliderChangesImage(app, first, 120_000);
    await app.shot('app-create-1280.png');
    assert.deepEqual(app.errors, []);
  });

  test('save to the library and export every format', { timeout: 60_000 }, () => saveAndExport(app));

  test('discover label-free identity directions; moving one changes the image', { timeout: 180_000 }, async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Create' }).click();
    await page.getByRole('spinbutton', { name: 'Directions', exact: true }).fill('2');
    await page.getByRole('button', { name: 'Discover directions' }).click();
    await page.getByTestId('free-status').filter({ hasText: /^2 directions, \d+ iterations/ }).waitFor({ timeout: 150_000 });
    const before = await generate(app, 60_000);
    // Named in words (the closest labelled attributes, more or less of each); the maths under Details.
    const slider = page.getByRole('slider', { name: /^Direction 1: (more|less) [A-Z][\w ']*(, (more|less) [A-Z][\w ']*){2}$/ });
    assert.match((await page.getByTestId('free-details').textContent()) ?? '', /direction 1: σ [\d.e+-]+; cosine with \w+ -?\d\.\d\d/);
    await slider.focus();
    await page.keyboard.press('PageUp');
    assert.notEqual(await slider.inputValue(), '0');
    assert.notDeepEqual(await generate(app, 60_000), before);
    await app.shot('app-create-directions-1280.png');
    assert.deepEqual(app.errors, []);
  });

  test('invert the fixture photo: mask, progress, cancel, resume, preview, result in the library', { timeout: 240_000 }, async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Invert' }).click();
    await page.getByLabel('Choose photo…').setInputFiles(`${FIXTURES}/tiny-sd-a/inversion-photo.png`);
    await page.getByRole('button', { name: 'Head ellipse' }).click();
    await page.getByLabel('Inversion steps', { exact: true }).fill('8');
    await openAdvanced(page);
    await page.getByLabel('Preview every', { exact: true }).fill('4');
    await page.getByLabel('Preview steps', { exact: true }).fill('1');
    await app.resetLongTasks();
    await page.getByRole('button', { name: 'Invert', exact: true }).click();
    // The photo preset wants 10000 components; the fixture space has fewer, and the app says so.
    await page.getByText(/the space holds \d+ principal components, fewer than the photo preset's 10000/).waitFor({ timeout: 60_000 });
    // Cancel early (a step takes about a second here), so the run stops well before its end.
    await page.getByTestId('invert-step').filter({ hasText: /^[1-5]$/ }).waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    const resume = page.getByRole('button', { name: /^Resume \(inversion-photo\.png, step [1-7] of 8\)/ });
    await resume.waitFor({ timeout: 60_000 });
    await resume.click();
    await page.getByTestId('invert-result').waitFor({ timeout: 120_000 });
    const tasks = await app.longTasks();
    assert.ok(Math.max(0, ...tasks) < MAX_TASK_MS, `main-thread long tasks during inversion: ${JSON.stringify(tasks)} ms; long frames ${JSON.stringify(await app.frames())}`);
    await page.getByTestId('invert-step').filter({ hasText: /^8$/ }).waitFor();
    assert.match((await page.getByRole('img', { name: /^loss over 8 steps/ }).getAttribute('aria-label')) ?? '', /last \d/);
    await page.getByTestId('invert-preview').waitFor();
    await app.shot('app-invert-1280.png');
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByRole('textbox', { name: 'name of inverted inversion-photo.png' }).waitFor();
    assert.deepEqual(app.errors, []);
  });

  test('reload: model from the cache, library intact', { timeout: 120_000 }, () => reloadIntact(app, server));

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

  test('an interrupted download resumes with a Range request', { timeout: 60_000 }, async () => {
    // A fresh profile; the first response for the UNet weights breaks off halfway.
    const resumed = await openApp(browser, `${server.url}/?hub=${encodeURIComponent(server.url)}&model=${MODEL}`);
    const { page, context } = resumed;
    const unet = `${MODEL}/resolve/main/unet/diffusion_pytorch_model.safetensors`;
    const full = readFileSync(`${FIXTURES}/tiny-sd-a/unet/diffusion_pytorch_model.safetensors`);
    const half = Math.floor(full.length / 2);
    let cut = false;
    await context.route(`**/${unet}`, async (route) => {
      if (cut || route.request().method() !== 'GET') return route.continue();
      cut = true;
      await route.fulfill({ status: 200, body: full.subarray(0, half), headers: { 'Content-Type': 'application/octet-stream' } });
    });
    await page.getByRole('button', { name: /^Download/ }).click();
    await page.getByTestId('model-error').filter({ hasText: `stopped at byte ${half} of ${full.length}` }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 30_000 });
    assert.ok(cut, 'the route intercepted the worker download');
    const ranged = server.requests.filter((r) => r.method === 'GET' && r.path.endsWith(unet) && r.range);
    assert.deepEqual(ranged.map((r) => [r.range, r.status]), [[`bytes=${half}-`, 206]]);
    await context.close();
  });

  test('a corrupt weight file is named, re-fetched once, and reported', { timeout: 60_000 }, () => corruptReported(browser, server));

  test('before downloading: the memory estimate from configs and weight headers only', { timeout: 60_000 }, async () => {
    const fresh = await openApp(browser, `${server.url}/?hub=${encodeURIComponent(server.url)}&model=${MODEL}`);
    const { page, context } = fresh;
    const download = page.getByRole('button', { name: /^Download/ });
    await download.waitFor();
    const before = server.requests.length;
    await page.getByRole('button', { name: 'Estimate before downloading' }).click();
    const unetRow = page.getByTestId('needs-table').getByRole('row', { name: /^UNet weights/ });
    await unetRow.waitFor({ timeout: 30_000 });
    assert.equal(Number(await unetRow.locator('td[data-bytes]').getAttribute('data-bytes')), await fixtureTensorBytes('unet/diffusion_pytorch_model.safetensors'));
    // Nothing but configs, tokenizer files and the weight files' headers was read: every weight GET a small Range.
    const weightGets = server.requests.slice(before).filter((r) => r.method === 'GET' && r.path.endsWith('.safetensors'));
    assert.ok(weightGets.length >= 3 && weightGets.every((r) => /^bytes=\d+-\d+$/.test(r.range ?? '')), JSON.stringify(weightGets));
    assert.ok(weightGets.every((r) => { const [a, b] = r.range!.slice(6).split('-').map(Number); return b - a < 1 << 20; }));
    await download.waitFor();
    assert.deepEqual(fresh.errors, []);
    await context.close();
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

  let app: AppPage;
  test('download, sample an identity, generate one step; an attribute slider changes the image', { timeout: 600_000 }, async () => {
    app = await firstRun(browser, server, 'WebGPU');
    const { page } = app;
    await page.getByLabel('Steps', { exact: true }).fill('1');
    await page.getByLabel('Scheduler').selectOption('ddim');
    await page.getByLabel('Size').selectOption('64');
    // Sample renders the identity at these settings: the first image.
    const png = await sampleRenders(app, 330_000);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    await sliderChangesImage(app, png, 240_000);
    await app.shot('app-create-webgpu.png');
    assert.deepEqual(app.errors, []);
  });

  test('save to the library and export every format', { timeout: 60_000 }, () => saveAndExport(app));

  test('two inversion steps on the gradient graph', { timeout: 600_000 }, async (t) => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Invert' }).click();
    await page.getByLabel('Choose photo…').setInputFiles(`${FIXTURES}/tiny-sd-a/inversion-photo.png`);
    await page.getByLabel('Inversion steps', { exact: true }).fill('2');
    await openAdvanced(page);
    await page.getByLabel('Preview every', { exact: true }).fill('0');
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Invert', exact: true }).click();
    await page.getByTestId('invert-result').or(page.locator('.invert [role=alert]')).waitFor({ timeout: 590_000 });
    t.diagnostic(`WebGPU inversion, 2 steps: ${Date.now() - t0} ms`);
    assert.equal(await page.locator('.invert [role=alert]').count(), 0);
    await page.getByTestId('invert-step').filter({ hasText: /^2$/ }).waitFor();
    assert.deepEqual(app.errors, []);
  });

  test('reload: model from the cache, library intact', { timeout: 300_000 }, () => reloadIntact(app, server, 240_000));

  test('a corrupt weight file is named, re-fetched once, and reported', { timeout: 60_000 }, () => corruptReported(browser, server));
});
