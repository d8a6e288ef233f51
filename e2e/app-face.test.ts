// Face-aware inversion end to end (headless Chromium, wasm backend, the fixture model): dropping astronaut.png
// finds the face in the worker, applies the automatic crop and head mask (face models and tfjs's wasm served
// by the app itself), a two-step inversion at 64 px runs on them with each preview scored, the identity score
// line appears, the best preview is restored, and on Create the identity is scored before and after an edit.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { nudge, type AppPage } from './app-helpers';
import { browserSuite, importSpace, invertSettings, readyApp } from './app-flow';
import { FIXTURES } from './server';

const ASTRONAUT = path.join(FIXTURES, 'photos', 'astronaut.png');

describe('face-aware inversion (wasm)', () => {
  const suite = browserSuite();
  let app: AppPage;

  test('drop a portrait: automatic crop and head mask, invert two steps, the identity score', { timeout: 180_000 }, async () => {
    app = await readyApp(suite.browser(), suite.server());
    await importSpace(app);
    const { page } = app;
    await page.getByRole('tab', { name: 'Invert' }).click();
    await page.getByLabel('Choose photo…').setInputFiles(ASTRONAUT);
    await page.getByText('face found: automatic crop and head mask').waitFor({ timeout: 60_000 }).catch(async (e: Error) => {
      console.log(`notes: ${JSON.stringify(await page.locator('.note').allTextContents())}\npage errors: ${JSON.stringify(app.errors)}`);
      throw e;
    });
    // The crop: a square smaller than the photo (512 px view), across the head (x ≈ 93–355 of 512).
    const square = await page.getByTestId('crop-square').evaluate((e: HTMLElement) => [e.style.left, e.style.top, e.style.width].map(parseFloat));
    assert.ok(square[2] > 35 && square[2] < 70, `crop side ${square[2]} % of the photo`);
    assert.ok(square[0] > 10 && square[0] + square[2] < 80, `crop left ${square[0]} %`);
    // The mask layer: some head painted, nothing in the bottom quarter or the corners.
    // (No named functions inside evaluate: tsx would wrap them in a helper the page does not have.)
    const mask = await page.getByTestId('mask-canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let all = 0;
      let bottom = 0;
      for (let y = 0; y < c.height; y++)
        for (let x = 0; x < c.width; x++)
          if (d[(y * c.width + x) * 4 + 3] > 0) {
            all++;
            if (y >= (3 * c.height) / 4) bottom++;
          }
      const corners = [[0, 0], [c.width - 1, 0], [0, c.height - 1], [c.width - 1, c.height - 1]].map(([x, y]) => d[(y * c.width + x) * 4 + 3] > 0);
      return { share: all / (c.width * c.height), bottom, corners };
    });
    assert.ok(mask.share > 0.04 && mask.share < 0.25, `head share ${mask.share}`);
    assert.equal(mask.bottom, 0);
    assert.deepEqual(mask.corners, [false, false, false, false]);
    assert.ok(await page.getByText('Only the painted region counts').isVisible());
    // "Auto mask" after clearing paints it again.
    await page.getByRole('button', { name: 'Clear mask' }).click();
    await page.getByRole('button', { name: 'Auto mask' }).click();
    await page.getByText('Only the painted region counts').waitFor({ timeout: 30_000 });

    await invertSettings(page, { steps: 2, checkpoint: 1, preview: 1 });
    await page.getByLabel(/^Score each preview/).check();
    await page.getByRole('button', { name: 'Invert', exact: true }).click();
    await page.getByTestId('invert-result').waitFor({ timeout: 120_000 });
    const score = page.getByTestId('invert-score');
    await page.waitForFunction(() => /over 4 generated images/.test(document.querySelector('[data-testid="invert-score"]')?.textContent ?? ''), null, { timeout: 60_000 });
    // The fixture's random weights draw no face: each image counts 0, and the line says so.
    assert.match((await score.textContent()) ?? '', /^Identity score 0\.00 \(0–1, higher = same person\) over 4 generated images: no face, no face, no face, no face; 0 of 4 the same person/);
    // Each preview was scored (0: no face drawn); on a tie the earlier step is the best, so step 1 is offered.
    assert.equal(await page.getByTestId('preview-score').textContent(), ' · identity score 0.00 (no face drawn)');
    await app.shot('app-face.png');
    await page.getByRole('button', { name: 'Restore best (score 0.00 at step 1)' }).click();
    await page.getByTestId('invert-result').filter({ hasText: 'inverted astronaut.png (best, step 1)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Restore best/ }).count(), 0);
    assert.deepEqual(app.errors, []);
  });

  test('on Create: the identity score before and after an attribute edit, against the open photo', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.getByRole('tab', { name: 'Create' }).click();
    await page.getByTestId('identity-name').filter({ hasText: 'inverted astronaut.png (best, step 1)' }).waitFor();
    const button = page.getByRole('button', { name: 'Identity score before / after edits' });
    assert.ok(await button.isDisabled());
    assert.equal(await button.getAttribute('title'), 'move an attribute slider first');
    await nudge(page, 'Male', 2);
    await button.click();
    const line = page.getByTestId('edit-score').filter({ hasText: /^Identity score before edits/ });
    await line.waitFor({ timeout: 90_000 });
    assert.match(
      (await line.textContent()) ?? '',
      /^Identity score before edits 0\.00, after edits 0\.00 \(the unedited identity is not the photo's person by the face model's threshold either: 0 of 4 edited images the photo's person, 0 of 4 before\)\. Before edits: Identity score 0\.00 .* over 4 generated images: (no face, ){3}no face; .* After edits: Identity score 0\.00 .* over 4 generated images: (no face, ){3}no face; .* 4 of 4 generated images show no face \(counted as 0\)$/,
    );
    // Another edit: the line of the old one goes.
    await nudge(page, 'Male', 1);
    assert.equal(await page.getByTestId('edit-score').count(), 0);
    assert.deepEqual(app.errors, []);
  });
});
