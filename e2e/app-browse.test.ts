// Training identities and share links end to end (headless Chromium, wasm backend, the fixture in hub layout:
// 64 training identities): filter by two labels (the rows Node finds), use one (cosine 1 to itself once it is
// current), generate; copy its share link, open it in a fresh page: the identity and its slider come back with
// the coefficients rounded to fp16 and nothing else changed; a link for another space and a malformed one are
// refused with a message and leave the current identity as it was. A row's image is rendered on demand and kept.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { float32ToHalf, halfToFloat32 } from '../src/engine/io/half';
import { spaceFolderFromPath } from '../src/engine/space/files-node';
import { loadSpace } from '../src/engine/space/load';
import { exportW2w, imageBytes, nudge, openApp, type AppPage } from './app-helpers';
import { browserSuite, importSpace, readyApp, waitReady } from './app-flow';
import { FIXTURES } from './server';

const GALLERY = '.gallery img[alt^="generated image"]';
const identityName = async (page: Page) => (await page.getByTestId('identity-name').textContent()) ?? '';

/** |a − b| within fp16's rounding of b's base (half a unit in the last place of 11 bits) plus float32 noise. */
function assertHalfClose(a: Float32Array, b: Float32Array, base: Float32Array): void {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= Math.abs(base[i]) * 2 ** -11 + 1e-5 * Math.abs(b[i]) + 1e-7, `coefficient ${i}: ${x} vs ${b[i]}`));
}

describe('training identities and share links (wasm)', () => {
  const suite = browserSuite();
  let app: AppPage;

  test('filter by two labels, use one, generate, share it; the link restores it in a fresh page', { timeout: 180_000 }, async () => {
    const space = await loadSpace(spaceFolderFromPath(path.join(FIXTURES, 'tiny-sd-a', 'w2w-space')));
    const labels = space.data.labels;
    const expected = Array.from({ length: space.models }, (_, m) => m).filter((m) => labels.columns.get('Male')![m] > 0 && labels.columns.get('Eyeglasses')![m] > 0);
    assert.ok(expected.length > 3 && expected.length < 30, `${expected.length} rows are Male ∧ Eyeglasses`);

    app = await readyApp(suite.browser(), suite.server());
    await importSpace(app);
    const { page } = app;
    await page.getByLabel('Steps', { exact: true }).fill('2');
    await page.getByLabel('Size').selectOption('64');

    // No identity yet: rows in the space's order, no cosine.
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByTestId('training-count').filter({ hasText: `of ${space.models}` }).waitFor();
    for (const label of ['Male', 'Eyeglasses']) {
      await page.getByLabel('Label to filter by').selectOption(label);
      await page.getByRole('button', { name: 'Has', exact: true }).click();
    }
    assert.match((await page.getByTestId('training-filter').textContent()) ?? '', /Filter: Male × ∧ Eyeglasses ×/);
    await page.getByTestId('training-count').filter({ hasText: `1–${expected.length} of ${expected.length}` }).waitFor();
    const rows = page.getByTestId('training-row');
    const shown = (await rows.locator('td:nth-child(2)').allTextContents()).map(Number);
    assert.deepEqual(shown, expected);
    for (const t of await rows.locator('td.labels').allTextContents()) assert.ok(['Male', 'Eyeglasses'].every((l) => t.split(', ').includes(l)), t);

    // Use one: it becomes the current identity and heads the list by cosine (1 to itself).
    const row = expected[2];
    const file = labels.index[row];
    await page.getByRole('button', { name: `Use training identity ${file}`, exact: true }).click();
    await page.getByTestId('identity-name').filter({ hasText: `training ${file}` }).waitFor();
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.locator(GALLERY).first().waitFor({ timeout: 120_000 });
    await page.getByRole('tab', { name: 'Library' }).click();
    const first = page.getByTestId('training-row').first();
    await first.locator('td', { hasText: '1.000' }).waitFor();
    assert.equal(Number(await first.locator('td:nth-child(2)').textContent()), row);
    // Its image on demand (seed 0, 20 steps, half the fixture's 128 px), kept for the fresh page below.
    await first.getByRole('button', { name: `Render image of training identity ${file}` }).click();
    const thumb = `img[alt="generated image: training identity ${file}"]`;
    await page.locator(thumb).waitFor({ timeout: 120_000 });
    const png = await imageBytes(page, thumb);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [64, 64]);
    await app.shot('app-browse-training.png');

    // The identity as used is its proj row padded to k; an attribute slider edits it.
    await page.getByRole('tab', { name: 'Create' }).click();
    assert.deepEqual(Array.from(await exportW2w(page)), Array.from(space.trainingCoef(row)));
    await nudge(page, 'Male', 3);
    const male = await page.getByRole('slider', { name: 'Male', exact: true }).inputValue();
    assert.notEqual(male, '0');
    const sent = await exportW2w(page);

    await page.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.getByTestId('share-link').inputValue();
    assert.match(link, /#w2w=1&space=.+&n=16&c=[A-Za-z0-9_-]+$/);
    // Another identity becomes this page's (and the stored) one: only the link can bring the training one back.
    await page.getByRole('button', { name: 'Sample identity' }).click();
    await page.getByTestId('identity-name').filter({ hasText: /^Current: sample / }).waitFor();

    const fresh = await openApp(suite.browser(), link, app.context);
    await waitReady(fresh);
    const p2 = fresh.page;
    await p2.getByRole('tab', { name: 'Create' }).click();
    await p2.getByTestId('link-note').filter({ hasText: `Opened the shared identity "training ${file}"` }).waitFor({ timeout: 60_000 });
    assert.match(await identityName(p2), new RegExp(`training ${file}`));
    assert.equal(await p2.getByRole('slider', { name: 'Male', exact: true }).inputValue(), male);
    assert.equal(new URL(p2.url()).hash, '', 'the fragment is dropped once opened');
    // Receiver's export = (the row rounded to fp16) with the same Male edit; the sender's had the exact row.
    const received = await exportW2w(p2);
    const rounded = halfToFloat32(float32ToHalf(space.trainingCoef(row)));
    const slider = Number(male);
    assertHalfClose(received, space.edit(rounded, [{ direction: 'Male', slider }]), space.trainingCoef(row));
    assertHalfClose(received, sent, space.trainingCoef(row));
    assert.notDeepEqual(Array.from(received), Array.from(sent), 'fp16 rounding is visible: the coefficients are not exact in half');
    await fresh.shot('app-browse-link.png');
    // The image rendered on the first page is stored: the fresh page shows it without rendering again.
    await p2.getByRole('tab', { name: 'Library' }).click();
    await p2.locator(thumb).waitFor();
    assert.deepEqual(await imageBytes(p2, thumb), png);
    await p2.getByRole('tab', { name: 'Create' }).click();

    // A link for another space, then a malformed one: a message each, the identity untouched.
    const before = await exportW2w(p2);
    await p2.evaluate((h) => (location.hash = h), new URL(link).hash.replace(/space=[^&]+/, 'space=elsewhere_w2w-space'));
    await p2.getByTestId('link-note').filter({ hasText: /belongs to the space "elsewhere_w2w-space", which is not stored in this browser/ }).waitFor();
    await p2.evaluate(() => (location.hash = '#w2w=1&space=x&name=y&edits=%7B%7D&n=2&c=AAAA'));
    await p2.getByTestId('link-note').filter({ hasText: /This link cannot be opened: the identity link's edit settings: "sliders" must map attributes to numbers/ }).waitFor();
    assert.equal(await p2.getByRole('alert').filter({ hasText: 'This link cannot be opened' }).count(), 1);
    assert.match(await identityName(p2), new RegExp(`training ${file}`));
    assert.deepEqual(Array.from(await exportW2w(p2)), Array.from(before));
    assert.deepEqual([...app.errors, ...fresh.errors], []);
  });
});
