// Steps the invert and directions end-to-end tests share: open the app on the fixture mirror (wasm
// backend: SwiftShader WebGPU is too slow for gradient steps), download the model, import the space.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { appServer, MODEL, openApp, SPACE, type AppPage } from './app-helpers';
import { launchChromium } from './browser';
import type { TestServer } from './server';

/** In a describe(): the fixture server and a Chromium without WebGPU, started before and closed after its tests. */
export function wasmSuite(): { server: () => TestServer; browser: () => Browser } {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    server = await appServer();
    browser = await launchChromium({ webgpu: false });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return { server: () => server!, browser: () => browser! };
}

export const appUrl = (server: TestServer) => `${server.url}/?hub=${encodeURIComponent(server.url)}&model=${MODEL}&space=${SPACE}&backend=wasm`;

/** Opens the app, downloads the model if needed and waits until it is loaded. */
export async function readyApp(browser: Browser, server: TestServer): Promise<AppPage> {
  const app = await openApp(browser, appUrl(server));
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

/** Imports the fixture's space on the Create screen (once per browser profile) and waits for it. */
export async function importSpace(app: AppPage): Promise<void> {
  const { page } = app;
  await page.getByRole('tab', { name: 'Create' }).click();
  const ready = page.getByTestId('space-ready');
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
