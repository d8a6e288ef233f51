// Steps the invert, directions and device-loss end-to-end tests share: open the app on the fixture mirror
// (wasm backend unless said otherwise: SwiftShader WebGPU is slow for gradient steps), download the model,
// import the space.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { appServer, MODEL, openAdvanced, openApp, SPACE, type AppPage } from './app-helpers';
import { launchChromium } from './browser';
import type { TestServer } from './server';

/** In a describe(): the fixture server and a Chromium (without WebGPU by default), started before and closed after its tests. */
export function browserSuite({ webgpu = false } = {}): { server: () => TestServer; browser: () => Browser } {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    server = await appServer();
    browser = await launchChromium({ webgpu });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return { server: () => server!, browser: () => browser! };
}

/** The app on the fixture mirror; `query` picks the backend and test hooks. */
export const appUrl = (server: TestServer, query = 'backend=wasm') =>
  `${server.url}/?hub=${encodeURIComponent(server.url)}&model=${MODEL}&space=${SPACE}&${query}`;

/** Opens the app, downloads the model if needed and waits until it is loaded. */
export async function readyApp(browser: Browser, server: TestServer, query?: string): Promise<AppPage> {
  const app = await openApp(browser, appUrl(server, query));
  await waitReady(app);
  return app;
}

export async function waitReady(app: AppPage): Promise<void> {
  const { page } = app;
  const download = page.getByRole('button', { name: /^Download/ });
  const ready = page.getByTestId('model-ready');
  await Promise.race([download.waitFor({ timeout: 60_000 }), ready.waitFor({ timeout: 60_000 })]);
  if (!(await ready.isVisible())) await download.click();
  await ready.waitFor({ timeout: 60_000 });
}

/**
 * The fixture's space on the Create screen: Download imports it after the model (a fresh profile), a reload
 * restores it; only where neither happened (a cached model, no space stored) is it imported here.
 */
export async function importSpace(app: AppPage): Promise<void> {
  const { page } = app;
  await page.getByRole('tab', { name: 'Create' }).click();
  const ready = page.getByTestId('space-ready');
  await ready.or(page.getByRole('button', { name: 'Import space', disabled: false })).waitFor({ timeout: 60_000 });
  if (!(await ready.isVisible())) {
    // The fixture's V.pt has 48 columns.
    await page.getByLabel('Components k').fill('48');
    await page.getByRole('button', { name: 'Import space' }).click();
    await ready.waitFor({ timeout: 60_000 }).catch(async (e: Error) => {
      e.message += `\nalerts: ${JSON.stringify(await page.getByRole('alert').allTextContents())}\npage errors: ${JSON.stringify(app.errors)}`;
      throw e;
    });
  }
  assert.match((await ready.textContent()) ?? '', /\d+ of \d+ components/);
}

/** The Invert panel's settings for a short run at 64 px (lr 0.3, seed 1, 2-step previews). */
export async function invertSettings(page: Page, v: { steps: number; checkpoint: number; preview: number }): Promise<void> {
  await openAdvanced(page);
  await page.getByLabel('Image size').selectOption('64');
  await page.getByLabel('Inversion steps', { exact: true }).fill(String(v.steps));
  await page.getByLabel('Learning rate').fill('0.3');
  await page.getByLabel('Seed', { exact: true }).fill('1');
  await page.getByLabel('Checkpoint every').fill(String(v.checkpoint));
  await page.getByLabel('Preview every').fill(String(v.preview));
  await page.getByLabel('Preview steps').fill('2');
}

/** The step the inversion status shows (-1 when none). */
export const stepOf = async (page: Page): Promise<number> =>
  Number(/step (\d+) \//.exec((await page.getByTestId('inversion-status').textContent()) ?? '')?.[1] ?? -1);
