// Keyboard, screen readers and a phone-sized screen (wasm backend, the fixture in hub layout), in one
// 390×844 page: Tab/Enter/Space/arrow keys only — download the model and the space, sample, move an
// attribute slider, open a photo through its button's file chooser, head ellipse, invert two steps. On
// every screen: no horizontal scroll (scrollWidth ≤ 390), no serious or critical axe-core violation (at 390 and 1280 px), a
// screenshot (app-<screen>-390.png); the page holds a handful of live regions and a run announces itself
// a few times, not once per step.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { openApp, type AppPage } from './app-helpers';
import { appUrl, browserSuite } from './app-flow';
import { FIXTURES } from './server';

const PHOTO = path.join(FIXTURES, 'tiny-sd-a', 'inversion-photo.png');
const WIDTH = 390;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Presses Tab (Shift+Tab with `back`) until `target` has the focus; throws after `max` presses. */
async function tabTo(page: Page, target: Locator, { back = false, max = 250 } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${target} not reached in ${max} Tab presses`);
}

/** Back to the tab bar (the selected tab is its one Tab stop) and to `name` with the arrow keys. */
async function openScreen(page: Page, name: string): Promise<void> {
  await tabTo(page, page.locator('[role="tab"][aria-selected="true"]'), { back: true });
  const target = page.getByRole('tab', { name, exact: true });
  for (let i = 0; i < 5 && (await target.getAttribute('aria-selected')) !== 'true'; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await target.getAttribute('aria-selected'), 'true');
  assert.equal(await target.evaluate((el) => el === document.activeElement), true, `${name} tab focused`);
}

/** Panels whose content is wider than they are (a table that does not scroll inside its panel). */
const overflowingPanels = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('.panel')].filter((p) => p.scrollWidth > p.clientWidth).map((p) => p.querySelector('h2')?.textContent));

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
  });
}

/** Width checks, axe-core at 390 px and at 1280×800 (the desktop layout), and a screenshot of the screen shown. */
async function checkScreen(app: AppPage, name: string): Promise<{ scrollWidth: number; violations: string[] }> {
  const { page } = app;
  const scrollWidth = await page.evaluate(() => document.scrollingElement!.scrollWidth);
  assert.deepEqual(await overflowingPanels(page), [], `${name}: panels wider than they are`);
  const violations = await axeViolations(page);
  await app.shot(`app-${name}-390.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
  violations.push(...(await axeViolations(page)).map((v) => `at 1280 px: ${v}`));
  await page.setViewportSize({ width: WIDTH, height: 844 });
  console.log(`${name}: scrollWidth ${scrollWidth}, serious/critical axe violations ${violations.length} (390 and 1280 px)`);
  return { scrollWidth, violations };
}

describe('keyboard only, 390×844, axe-core (wasm)', () => {
  const suite = browserSuite();

  test('download, space, sample, slider, invert two steps; every screen fits and passes axe', { timeout: 420_000 }, async () => {
    const context = await suite.browser().newContext({ viewport: { width: WIDTH, height: 844 } });
    const app = await openApp(suite.browser(), appUrl(suite.server()), context);
    const { page } = app;
    const screens: Record<string, { scrollWidth: number; violations: string[] }> = {};

    // Models: the download button by Tab, started with Enter.
    const download = page.getByRole('button', { name: /^Download/ });
    await download.waitFor({ timeout: 60_000 });
    await tabTo(page, download);
    await page.keyboard.press('Enter');
    await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });
    // A loaded model opens Create: back to Models (Home) for its check.
    await openScreen(page, 'Create');
    await page.keyboard.press('Home');
    await page.getByRole('heading', { name: 'Download' }).waitFor();
    screens.models = await checkScreen(app, 'models');
    // The download table (folded: opened by keyboard) scrolls inside its panel at 390 px, and fits it at 1280 px.
    await tabTo(page, page.locator('details.files > summary'));
    await page.keyboard.press('Enter');
    const files = page.getByRole('region', { name: 'model files' });
    assert.ok(await files.evaluate((e) => e.scrollWidth > e.clientWidth), 'the file table scrolls at 390 px');
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(await overflowingPanels(page), [], 'panels at 1280 px');
    await page.setViewportSize({ width: WIDTH, height: 844 });

    // The tabs: one Tab stop, arrows, Home and End.
    await openScreen(page, 'Create');
    await page.keyboard.press('End');
    assert.equal(await page.getByRole('tab', { name: 'Library' }).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Home');
    assert.equal(await page.getByRole('tab', { name: 'Models' }).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowRight');
    const create = page.getByRole('tab', { name: 'Create' });
    assert.equal(await create.getAttribute('aria-selected'), 'true');
    assert.equal(await create.getAttribute('tabindex'), '0');
    assert.equal(await page.getByRole('tab', { name: 'Models' }).getAttribute('tabindex'), '-1');
    const panel = page.getByRole('tabpanel');
    assert.equal(await panel.getAttribute('id'), await create.getAttribute('aria-controls'));
    assert.equal(await panel.getAttribute('aria-labelledby'), await create.getAttribute('id'));

    // Create: the space came with Download; a sampled identity, an attribute slider by arrows.
    await page.getByTestId('space-ready').waitFor({ timeout: 60_000 });
    // Sample renders at once: a small one (3 steps, 64 px), typed into the Generate form first.
    await tabTo(page, page.getByLabel('Steps', { exact: true }));
    await page.keyboard.press('Control+A');
    await page.keyboard.type('3');
    // (The select's name includes its chosen option: "Size 512×512".)
    const size = page.getByRole('combobox', { name: /^Size/ });
    await tabTo(page, size);
    await page.keyboard.type('64');
    assert.equal(await size.inputValue(), '64');
    await tabTo(page, page.getByRole('button', { name: 'Sample identity' }), { back: true });
    await page.keyboard.press('Space');
    await page.getByTestId('identity-name').waitFor({ timeout: 60_000 });
    await page.getByTestId('result').waitFor({ timeout: 120_000 });
    const male = page.getByRole('slider', { name: 'Male', exact: true });
    await tabTo(page, male);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await male.inputValue(), '0.3');
    // Every slider's value display is not live (it was one role=status per slider): a handful remain.
    const live = await page.evaluate(
      () => document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"], output:not([aria-live="off"])').length,
    );
    assert.ok(live <= 5, `${live} live regions on the Create screen`);
    screens.create = await checkScreen(app, 'create');

    // Invert: the photo through its button's file chooser, the head ellipse, two steps at 64 px.
    await openScreen(page, 'Invert');
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      tabTo(page, page.getByRole('button', { name: 'Choose photo…' })).then(() => page.keyboard.press('Enter')),
    ]);
    await chooser.setFiles(PHOTO);
    await page.getByTestId('mask-canvas').waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Head ellipse' }));
    await page.keyboard.press('Enter');
    await page.getByText('Only the painted region counts').waitFor();
    await tabTo(page, page.getByLabel('Inversion steps', { exact: true }));
    await page.keyboard.press('Control+A');
    await page.keyboard.type('2');
    await tabTo(page, page.getByLabel('Image size'));
    await page.keyboard.type('64');
    assert.equal(await page.getByLabel('Image size').inputValue(), '64');
    // What the run's live region says, as it changes.
    await page.evaluate(() => {
      const said: string[] = ((window as unknown as { __said: string[] }).__said = []);
      const region = [...document.querySelectorAll('[role="status"]')].find((e) => e.closest('section')?.querySelector('#invert-run-h'))!;
      new MutationObserver(() => said.push(region.textContent ?? '')).observe(region, { childList: true, characterData: true, subtree: true });
    });
    await tabTo(page, page.getByRole('button', { name: 'Invert', exact: true }));
    await page.keyboard.press('Enter');
    await page.getByTestId('invert-result').waitFor({ timeout: 300_000 });
    assert.equal(await page.getByTestId('invert-step').textContent(), '2');
    const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
    assert.deepEqual(said, ['inversion started', 'inversion 50 %', 'inversion 100 %', 'inversion done']);
    screens.invert = await checkScreen(app, 'invert');

    await openScreen(page, 'Directions');
    screens.directions = await checkScreen(app, 'directions');
    await openScreen(page, 'Library');
    // Repeated buttons name their entry.
    const entry = page.getByRole('textbox', { name: 'name of inverted inversion-photo.png' });
    await entry.waitFor();
    for (const verb of ['Rename', 'Load', 'Duplicate', 'Delete'])
      await page.getByRole('button', { name: `${verb} inverted inversion-photo.png`, exact: true }).waitFor();
    screens.library = await checkScreen(app, 'library');

    for (const [name, s] of Object.entries(screens)) {
      assert.ok(s.scrollWidth <= WIDTH, `${name}: scrollWidth ${s.scrollWidth} > ${WIDTH}`);
      assert.deepEqual(s.violations, [], `${name}: axe-core`);
    }
    assert.deepEqual(app.errors, []);
    await context.close();
  });
});
