// The directions panel end to end (headless Chromium, wasm backend, the fixture in hub layout): image
// directions discovered on a generated image, a slider moves x_t and changes the image; identity
// directions of a sampled identity with their cosine table, a slider gives an edited identity.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { imageBytes, type AppPage } from './app-helpers';
import { importSpace, readyApp, browserSuite } from './app-flow';

const GALLERY = '.gallery img[alt^="generated image"]';

/** σ from "σ = a, b, …": positive and descending. */
async function sigmas(page: Page, testId: string): Promise<number[]> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  const values = (/σ = ([\d., e+-]+)/.exec(text)?.[1] ?? '').split(',').map(Number);
  assert.ok(values.length === 2 && values.every((v, i) => v > 0 && (i === 0 || v <= values[i - 1])), `σ in ${JSON.stringify(text)}`);
  return values;
}

/** Moves a direction's slider to its end with the keyboard and returns the image rendered for it. */
async function slide(page: Page, name: string, testId: string): Promise<Buffer> {
  const slider = page.getByRole('slider', { name, exact: true });
  await slider.focus();
  await page.keyboard.press('End');
  assert.equal(await slider.inputValue(), '1');
  await page.getByTestId(testId).waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId(testId).getAttribute('alt'), `generated image (${name}, s = 1)`);
  return imageBytes(page, `[data-testid="${testId}"]`);
}

describe('directions panel (wasm)', () => {
  const suite = browserSuite();
  let app: AppPage;

  test('image directions on a generated image; a slider changes the image', { timeout: 300_000 }, async () => {
    app = await readyApp(suite.browser(), suite.server());
    await importSpace(app);
    const { page } = app;
    await page.getByLabel('Steps').fill('4');
    await page.getByLabel('Size').selectOption('64');
    // Sample renders the new identity with these settings.
    await page.getByRole('button', { name: 'Sample identity' }).click();
    await page.getByTestId('identity-name').waitFor();
    await page.locator(GALLERY).first().waitFor({ timeout: 120_000 });
    const original = await imageBytes(page, GALLERY);
    await page.getByRole('tab', { name: 'Directions' }).click();
    await page.getByRole('spinbutton', { name: 'Directions', exact: true }).fill('2');
    await page.getByRole('button', { name: 'Discover directions' }).click();
    await page.getByTestId('image-directions').waitFor({ timeout: 180_000 });
    await sigmas(page, 'image-directions');
    const edited = await slide(page, 'image direction 1', 'image-edit-0');
    assert.equal(edited.subarray(1, 4).toString(), 'PNG');
    assert.notDeepEqual(edited, original);
    await app.shot('app-directions-1280.png');
    assert.deepEqual(app.errors, []);
  });

  test('identity directions with cosines against the labelled attributes; a slider edits the identity', { timeout: 300_000 }, async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Discover identity directions' }).click();
    await page.getByTestId('identity-directions').waitFor({ timeout: 240_000 });
    await sigmas(page, 'identity-directions');
    const rows = page.getByTestId('cosine-table').locator('tbody tr');
    assert.equal(await rows.count(), 2);
    for (const text of await rows.allTextContents()) {
      const cos = [...text.matchAll(/[+−](\d\.\d{3})/g)].map((m) => Number(m[1]));
      assert.equal(cos.length, 3, text);
      assert.ok(cos.every((c) => c >= 0 && c <= 1), text);
    }
    const before = await slide(page, 'identity direction 1', 'identity-edit-0');
    const other = await slide(page, 'identity direction 2', 'identity-edit-1');
    assert.notDeepEqual(before, other);
    await page.getByRole('button', { name: 'Use as identity' }).first().click();
    await page.getByRole('tab', { name: 'Create' }).click();
    assert.match((await page.getByTestId('identity-name').textContent()) ?? '', /\(direction 1 \+1\)/);
    await page.getByRole('tab', { name: 'Directions' }).click();
    await app.shot('app-directions-identity.png');
    assert.deepEqual(app.errors, []);
  });
});
