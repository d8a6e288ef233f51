// The app's built shell loads cleanly under the same isolation headers the engine needs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, runPage } from './browser';
import { DIST, startServer, type TestServer } from './server';

let server: TestServer;
let browser: Browser;
before(async () => {
  server = await startServer({ dist: DIST });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('the app shell renders without console errors', { timeout: 60_000 }, async () => {
  const run = await runPage<string>(browser, `${server.url}/`, {
    // The title, once React has rendered into #root.
    until: 'document.querySelector("#root")?.childElementCount && document.title',
    screenshot: 'app.png',
  });
  assert.equal(run.value, 'weights2weights');
  assert.deepEqual(run.errors, []);
  assert.deepEqual(run.failedRequests, []);
});
