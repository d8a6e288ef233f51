// Without --enable-unsafe-webgpu Chromium has navigator.gpu but no adapter: the probe must fall back to
// wasm and say why, and an explicit request for WebGPU must fail instead of running elsewhere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ConformanceReport } from '../src/conformance/check';
import { launchChromium, runPage } from './browser';
import { OPS_REFERENCE_PATH, opsReference } from './ops-reference';
import { DIST, FIXTURES, startServer, type TestServer } from './server';

describe('WebGPU unavailable', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    server = await startServer({ dist: DIST, owners: { test: FIXTURES }, files: { [OPS_REFERENCE_PATH]: await opsReference() } });
    browser = await launchChromium({ webgpu: false });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('probeBackend falls back to wasm with the reason, and the checks pass there', { timeout: 180_000 }, async (t) => {
    const run = await runPage<ConformanceReport>(browser, `${server.url}/conformance.html?checks=ops,unet`, {
      until: 'window.__conformance',
      screenshot: 'conformance-fallback.png',
    });
    const r = run.value;
    t.diagnostic(`probe ${JSON.stringify(r.probe)}; ${run.ms} ms`);
    assert.equal(r.backend, 'wasm');
    assert.equal(r.adapter, undefined);
    assert.match(r.probe.reason ?? '', /^(no adapter|navigator\.gpu missing)/);
    assert.equal(r.error, undefined);
    // The model check (not only the ops) runs on the fallback; the gradient check has its own wasm test.
    assert.ok(r.results.some((x) => x.key === 'unet.eps'), JSON.stringify(r.results));
    assert.ok(r.results.every((x) => x.ok), JSON.stringify(r.results));
    assert.deepEqual(run.errors, []);
  });

  test('backend=webgpu fails loudly', { timeout: 60_000 }, async () => {
    const run = await runPage<ConformanceReport>(browser, `${server.url}/conformance.html?backend=webgpu`, { until: 'window.__conformance' });
    assert.match(run.value.error ?? '', /^WebGPU was requested but is unavailable: no adapter/);
    assert.deepEqual(run.value.results, []);
  });
});
