// One GPU copy of every weight (WebGPU on SwiftShader, tiny fixture): after a download, a sampled identity,
// generations at two sizes and two inversion steps with a preview — sessions of the CLIP, CFG-UNet,
// VAE-decoder, VAE-encoder and gradient graphs at several shapes — the GPU buffers holding each component's
// weights (counted by the engine worker's ?testHooks=1 accounting) equal that component's weight bytes, and the
// space's V_k is there once.
// A direction discovery is left out here: its pullback iterations take over 10 minutes on SwiftShader; the
// pullback graphs bind their weights through the same store (test/runtime/weight-inputs.test.ts).
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { GpuMemoryReport } from '../src/engine/runtime/gpu-accounting';
import { fixtureTensorBytes, type AppPage } from './app-helpers';
import { browserSuite, importSpace, invertSettings, readyApp } from './app-flow';
import { FIXTURES } from './server';
import { openPath } from '../src/engine/io/source-node';
import { basisBytes } from '../src/engine/space/basis-graph';
import { openTensor } from '../src/engine/space/pt';

const GALLERY = '.gallery img[alt^="generated image"]';
const WEIGHT_FILES = ['unet/diffusion_pytorch_model.safetensors', 'vae/diffusion_pytorch_model.safetensors', 'text_encoder/model.safetensors'];

const gpuMemory = (page: Page) =>
  page.evaluate(() => (window as unknown as { __w2wTest: { gpuMemory(): Promise<GpuMemoryReport> } }).__w2wTest.gpuMemory());

async function generateAt(app: AppPage, size: string, count: number, preparing?: string): Promise<void> {
  const { page } = app;
  await page.getByRole('tab', { name: 'Create' }).click();
  await page.getByLabel('Size').selectOption(size);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  // While a session builds, the header says which (seconds on SwiftShader, minutes for the full model).
  if (preparing) await page.getByTestId('preparing').filter({ hasText: preparing }).waitFor({ timeout: 120_000 });
  await page.locator(GALLERY).nth(count - 1).waitFor({ timeout: 400_000 });
}

describe('GPU memory: one copy of each weight (WebGPU on SwiftShader)', () => {
  const suite = browserSuite({ webgpu: true });
  let app: AppPage;

  test('generate at two sizes, invert with a preview: weights held once', { timeout: 900_000 }, async (t) => {
    const t0 = Date.now();
    app = await readyApp(suite.browser(), suite.server(), 'backend=webgpu&testHooks=1');
    const { page } = app;
    assert.match((await page.getByTestId('model-ready').textContent()) ?? '', /· webgpu ·/);
    await importSpace(app);
    await page.getByLabel('Steps', { exact: true }).fill('1');
    await page.getByLabel('Scheduler').selectOption('ddim');
    await page.getByLabel('Size').selectOption('64');
    // Sample renders the new identity at once: the first generation, at 64 px.
    await page.getByRole('button', { name: 'Sample identity' }).click();
    await page.getByTestId('identity-name').waitFor();
    await page.getByTestId('preparing').filter({ hasText: 'preparing the UNet (8×8 latents)' }).waitFor({ timeout: 120_000 });
    await page.locator(GALLERY).first().waitFor({ timeout: 400_000 });
    await generateAt(app, '128', 2, 'preparing the UNet (16×16 latents)');
    const t1 = Date.now();

    await page.getByRole('tab', { name: 'Invert' }).click();
    await page.getByLabel('Choose photo…').setInputFiles(path.join(FIXTURES, 'tiny-sd-a', 'inversion-photo.png'));
    await page.getByTestId('mask-canvas').waitFor();
    await invertSettings(page, { steps: 2, checkpoint: 1, preview: 2 });
    await page.getByLabel('Preview steps').fill('1');
    await page.getByRole('button', { name: 'Invert', exact: true }).click();
    await page.getByTestId('invert-result').or(page.getByTestId('invert-error')).waitFor({ timeout: 600_000 });
    if (await page.getByTestId('invert-error').count()) assert.fail(`inversion failed: ${await page.getByTestId('invert-error').textContent()}`);
    await page.getByTestId('invert-preview').waitFor();
    const t2 = Date.now();

    const report = await gpuMemory(page);
    t.diagnostic(`ready + generate ×2 ${t1 - t0} ms, invert 2 steps + preview ${t2 - t1} ms`);
    t.diagnostic(`GPU memory: ${JSON.stringify(report)}`);
    for (const file of WEIGHT_FILES) {
      const expected = await fixtureTensorBytes(file);
      const held = report.weights[file];
      t.diagnostic(`${file}: ${held} bytes of weight buffers on the GPU, ${expected} bytes of tensors in the file`);
      assert.ok(Math.abs(held - expected) <= 0.05 * expected, `${file}: ${held} GPU bytes vs ${expected} weight bytes`);
    }
    // And the space's V_k (with std and mean), once: the projector's products and the inversion's gradient graph share it.
    const [d, k] = (await openTensor(await openPath(path.join(FIXTURES, 'tiny-sd-a', 'w2w-space', 'V.pt')))).shape;
    const spaces = Object.keys(report.weights).filter((s) => /^w2w space \d+$/.test(s));
    assert.equal(spaces.length, 1, `space sources ${spaces}`);
    assert.equal(report.weights[spaces[0]], basisBytes(d, k, 'float32'));
    assert.deepEqual(Object.keys(report.weights).sort(), [...WEIGHT_FILES, spaces[0]].sort());
    assert.deepEqual(app.errors, []);
  });
});
