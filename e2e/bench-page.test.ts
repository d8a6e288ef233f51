// The benchmark page (bench.html) in headless Chromium, WebGPU on SwiftShader with the tiny fixture: with
// nothing cached it says which model it looked for and links to the app; after the app's own download it runs
// every case (one generation step, one run, no warm-up calls and a 64 px image: SwiftShader is a CPU) and
// reports times, the adapter and the GPU memory the weights and sessions took.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { BenchReport, Published } from '../src/bench-page/report';
import { readFile } from 'node:fs/promises';
import { parseUNetConfig } from '../src/engine/io/config';
import { loraLayout } from '../src/engine/models/lora';
import { openSafetensors } from '../src/engine/io/safetensors';
import { openPath } from '../src/engine/io/source-node';
import { fixtureTensorBytes, MODEL } from './app-helpers';
import { browserSuite, readyApp } from './app-flow';
import { FIXTURES } from './server';

const UNET = 'unet/diffusion_pytorch_model.safetensors';
const VAE = 'vae/diffusion_pytorch_model.safetensors';
const TEXT = 'text_encoder/model.safetensors';

/** Bytes of a fixture file's tensors whose names pass `keep`. */
async function tensorBytes(file: string, keep: (key: string) => boolean): Promise<number> {
  const st = await openSafetensors(await openPath(path.join(FIXTURES, 'tiny-sd-a', file)));
  return st.keys().filter(keep).reduce((a, k) => a + st.info(k).byteLength, 0);
}
const CASES = ['session', 'unet_step_b2', 'generation', 'vae_decode', 'grad_step_b1', 'invert_step_k1000', 'invert_step_k10000'];

async function published(page: Page, timeout: number): Promise<Published> {
  await page.waitForFunction('window.__bench', undefined, { timeout, polling: 250 });
  return page.evaluate(() => (window as unknown as { __bench: Published }).__bench);
}

describe('benchmark page (WebGPU on SwiftShader, tiny model)', () => {
  const suite = browserSuite({ webgpu: true });

  test('with nothing cached it says what it looked for and links to the app', { timeout: 60_000 }, async () => {
    const server = suite.server();
    const context = await suite.browser().newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${server.url}/bench.html?hub=${encodeURIComponent(server.url)}&model=${MODEL}&run=1&backend=webgpu`);
      const r = await published(page, 30_000);
      assert.deepEqual(r.cases, []);
      assert.match(r.error ?? '', new RegExp(`^no cached model: looked for ${MODEL} \\(revision main, from ${server.url}/${MODEL}/resolve/main\\)`));
      assert.ok('notCached' in r && r.notCached?.repo === MODEL);
      assert.match(await page.getByRole('alert').textContent() ?? '', /Download it in the app first/);
      const link = page.getByRole('link', { name: `Open the app to download ${MODEL}` });
      assert.equal(await link.getAttribute('href'), `./?hub=${encodeURIComponent(server.url)}&model=${encodeURIComponent(MODEL)}&backend=webgpu`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('after the app downloads the model: every case timed, the adapter described, GPU bytes counted', { timeout: 400_000 }, async (t) => {
    const server = suite.server();
    const t0 = Date.now();
    const app = await readyApp(suite.browser(), server, 'backend=webgpu');
    // The Models screen links to the page with the app's model source and precision.
    await app.page.getByRole('tab', { name: 'Models' }).click();
    const href = await app.page.getByTestId('bench-link').getAttribute('href');
    const url = new URL(href!, `${server.url}/`);
    assert.equal(url.pathname, '/bench.html');
    assert.equal(url.searchParams.get('hub'), server.url);
    assert.equal(url.searchParams.get('model'), MODEL);
    for (const [k, v] of Object.entries({ run: '1', steps: '1', runs: '1', size: '64', precision: 'fp32', backend: 'webgpu', warmup: '0' })) url.searchParams.set(k, v);
    // The same browser profile (its OPFS holds the download); the app's page closed, as a visitor leaves it.
    const page = await app.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await app.page.close();
    const t1 = Date.now();
    await page.goto(url.href);
    const r = (await published(page, 300_000)) as BenchReport;
    t.diagnostic(`app download + load ${t1 - t0} ms, benchmark ${Date.now() - t1} ms`);
    assert.equal(r.error, undefined);
    t.diagnostic(await page.locator('#run-info').textContent() ?? '');
    for (const c of r.cases) t.diagnostic(`${c.case}: ${c.seconds} s (first ${c.first_ms?.toFixed(0)} ms), peak GPU ${c.gpu_peak_bytes} B${c.error ? `, error ${c.error}` : ''}`);

    assert.equal(r.provider, 'webgpu');
    assert.equal(r.precision, 'fp32');
    assert.deepEqual(r.settings, { steps: 1, runs: 1, size: 64, precision: 'fp32', backend: 'webgpu', warmup: false });
    // SwiftShader names itself; the limits are the adapter's.
    assert.match(`${r.adapter?.vendor} ${r.adapter?.architecture} ${r.adapter?.description}`, /google|swiftshader/i);
    assert.equal(typeof r.shaderF16, 'boolean');
    assert.ok(r.limits!.maxBufferSize! >= 2 ** 28 && r.limits!.maxStorageBufferBindingSize! >= 2 ** 27, JSON.stringify(r.limits));

    assert.deepEqual(r.cases.map((c) => c.case), CASES);
    for (const c of r.cases) {
      assert.equal(c.error, undefined, `${c.case}: ${c.error}`);
      assert.ok(Number.isFinite(c.seconds) && c.seconds! > 0, `${c.case}: ${c.seconds} s`);
      assert.equal(c.times_ms?.length, 1, c.case);
      assert.equal(c.finite, true, `${c.case}: non-finite output`);
    }
    assert.match(r.cases[2].label, /1 PNDM step, 64×64 px/);
    // Session creation reports the UNet's build alone, its whole first call apart; the step case builds nothing new.
    assert.deepEqual(Object.keys(r.cases[0].sessions_ms ?? {}), ['unet_b2_8x8']);
    assert.equal(r.cases[0].seconds, r.cases[0].sessions_ms!.unet_b2_8x8 / 1000);
    assert.ok(r.cases[0].first_ms! > r.cases[0].sessions_ms!.unet_b2_8x8, `first call ${r.cases[0].first_ms} ms`);
    // warmup=0: no untimed first calls; the generation's time includes building the CLIP and VAE decoder sessions.
    assert.ok(r.cases.slice(1).every((c) => c.first_ms === undefined));
    assert.deepEqual(Object.keys(r.cases[2].sessions_ms ?? {}).sort(), ['clip_b2', 'vae_dec_b1_8x8']);
    assert.equal(r.cases[1].sessions_ms, undefined);
    assert.deepEqual(Object.keys(r.cases[4].sessions_ms ?? {}), ['unet_loss_b1_8x8']);
    // The inversion steps: each its own gradient graph with θ from k coefficients, V_k on the GPU while it runs.
    for (const [i, k] of [[5, 1000], [6, 10000]]) {
      assert.match(Object.keys(r.cases[i].sessions_ms ?? {}).join(), new RegExp(`^unet_loss_b1_8x8_space\\d+_k${k}_float32$`));
      assert.match(r.cases[i].label, new RegExp(`k = ${k}: .* V_k float32 on the device`));
    }

    // One GPU copy of each weight the cases use (the VAE's decoder, not its encoder), and a peak that holds
    // the whole model's weights and the activations.
    const expected: Record<string, number> = {
      [UNET]: await fixtureTensorBytes(UNET),
      [TEXT]: await fixtureTensorBytes(TEXT),
      [VAE]: await tensorBytes(VAE, (k) => k.startsWith('decoder.') || k.startsWith('post_quant_conv.')),
    };
    assert.deepEqual(Object.keys(r.gpu_weights_bytes ?? {}).sort(), Object.keys(expected).sort());
    for (const [f, bytes] of Object.entries(expected))
      assert.ok(Math.abs(r.gpu_weights_bytes![f] - bytes) <= 0.05 * bytes, `${f}: ${r.gpu_weights_bytes![f]} GPU bytes vs ${bytes} weight bytes`);
    let weightBytes = 0;
    for (const f of [UNET, TEXT, VAE]) weightBytes += await fixtureTensorBytes(f);
    const peaks = r.cases.map((c) => c.gpu_peak_bytes!);
    assert.ok(peaks.every((p, i) => p > 0 && (i === 0 || p >= peaks[i - 1])), `peaks ${peaks}`);
    assert.ok(peaks.at(-1)! > weightBytes, `peak ${peaks.at(-1)} ≤ weights ${weightBytes}`);
    // V_k at k = 10,000 (D × 10,000 float32) was on the GPU with the model's weights, and left with its case:
    // the weights reported at the end are the model's alone (checked above).
    const d = loraLayout(parseUNetConfig(JSON.parse(await readFile(path.join(FIXTURES, 'tiny-sd-a/unet/config.json'), 'utf8')))).size;
    assert.ok(peaks[6] >= peaks[4] + d * 10000 * 4, `peak ${peaks[6]} with V_k vs ${peaks[4]} without (V_k ${d * 10000 * 4} B)`);

    // The table people see, and the Copy button's Markdown + JSON.
    assert.equal(await page.locator('tr[data-case]').count(), CASES.length);
    const copied = await page.getByLabel('Markdown table and JSON report').inputValue();
    assert.match(copied, /\| case \| s \| first s \| runs \| peak GPU MiB \| result \|/);
    assert.equal(JSON.parse(/```json\n([\s\S]*)\n```/.exec(copied)![1]).cases.length, CASES.length);
    assert.deepEqual(errors, []);
  });
});
