// The conformance page in headless Chromium: onnxruntime-web (WebGPU on SwiftShader, and wasm) must
// reproduce onnxruntime-node's outputs for the op graphs and the fixture's reference outputs for the
// models, fetched through the hub layout.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { openSafetensors } from '../src/engine/io/safetensors';
import { fromBytes } from '../src/engine/io/source';
import type { ConformanceReport } from '../src/conformance/check';
import { OPS_OUTPUTS, opsKey } from '../src/conformance/ops-graph';
import { launchChromium, runPage, type PageRun } from './browser';
import { spaceListing } from './app-helpers';
import { OPS_REFERENCE_PATH, opsReference } from './ops-reference';
import { DIST, FIXTURES, startServer, type TestServer } from './server';

const TIMEOUT = 180_000;

/** Runs the page and reports what a reader of the test log wants to know. */
async function conformance(t: TestContext, browser: Browser, server: TestServer, query: string, shot?: string, timeoutMs?: number) {
  const run: PageRun<ConformanceReport> = await runPage(browser, `${server.url}/conformance.html?${query}`, {
    until: 'window.__conformance',
    screenshot: shot,
    timeoutMs,
  });
  const r = run.value;
  t.diagnostic(`${query}: ${r.backend} in ${r.context}, ${run.ms} ms (checks ${JSON.stringify(r.timings)})`);
  t.diagnostic(`results ${JSON.stringify(r.results)}`);
  return run;
}

const MODEL_KEYS = [
  'clip.last_hidden_state',
  'vae.decoded',
  'vae.latent_mean',
  'vae.latent_logvar',
  'unet.eps',
  'unet.eps_lora',
  'lora.loss',
  'lora.grad_flat',
  'space.coef_loss',
  'space.theta',
  'space.theta_back',
  'space.grad_coef (runtime vs loops)',
];
const INVERT_KEYS = ['invert.coef after 3 steps (in-graph vs separate)', 'invert.losses (in-graph vs separate)'];

function assertPassed(run: PageRun<ConformanceReport>, keys: readonly string[] = OPS_OUTPUTS.map(opsKey.output)) {
  const r = run.value;
  assert.equal(r.error, undefined);
  assert.deepEqual(run.errors, []);
  assert.deepEqual(run.failedRequests, []);
  assert.deepEqual(
    r.results.map((x) => x.key),
    keys,
  );
  for (const x of r.results) assert.ok(x.ok && x.relErr <= x.tol, `${x.key}: relErr ${x.relErr} > ${x.tol}`);
  // Threaded wasm needs cross-origin isolation; its threads run the onnxruntime chunk, not app code.
  assert.equal(r.crossOriginIsolated, true);
  assert.ok(r.numThreads > 1 || availableParallelism() === 1, `numThreads ${r.numThreads}`);
  for (const w of run.workers) assert.match(w, /\/assets\/(worker|ort\.webgpu\.bundle\.min)-[\w-]+\.js$/);
  if (r.numThreads > 1) assert.ok(run.workers.some((w) => w.includes('/assets/ort.webgpu.bundle.min-')), 'no wasm thread started');
}

describe('conformance page', () => {
  let reference: Uint8Array;
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    reference = await opsReference();
    server = await startServer({
      dist: DIST,
      owners: { test: FIXTURES },
      files: { [OPS_REFERENCE_PATH]: reference, ...spaceListing() },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('WebGPU (SwiftShader) in a worker matches onnxruntime-node', { timeout: TIMEOUT }, async (t) => {
    const run = await conformance(t, browser, server, 'repo=test/tiny-sd-a&backend=webgpu&checks=ops', 'conformance-webgpu.png');
    const r = run.value;
    t.diagnostic(`adapter ${JSON.stringify(r.adapter)}, shader-f16 ${r.probe.shaderF16}, maxBufferSize ${r.probe.maxBufferSize}`);
    assert.equal(r.backend, 'webgpu');
    assert.equal(r.context, 'worker');
    assert.equal(r.adapter?.architecture, 'swiftshader');
    assertPassed(run);
    assert.ok(server.requests.some((q) => /ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(q.path) && q.status === 200));
  });

  test('WebGPU is chosen by probing, and runs on the main thread', { timeout: TIMEOUT }, async (t) => {
    const run = await conformance(t, browser, server, 'in=main&checks=ops');
    assert.equal(run.value.backend, 'webgpu');
    assert.equal(run.value.probe.reason, undefined);
    assert.equal(run.value.context, 'main');
    assertPassed(run);
  });

  test('wasm, threaded, with the hub on another origin', { timeout: TIMEOUT }, async (t) => {
    const hub = await startServer({ owners: { test: FIXTURES }, files: { [OPS_REFERENCE_PATH]: reference } });
    try {
      const run = await conformance(t, browser, server, `hub=${encodeURIComponent(hub.url)}&backend=wasm&checks=ops`, 'conformance-wasm.png');
      assert.equal(run.value.backend, 'wasm');
      assert.equal(run.value.probe.reason, 'wasm requested');
      assertPassed(run);
      // The reference came from the hub server, read with Range requests.
      assert.ok(hub.requests.some((q) => q.path === OPS_REFERENCE_PATH && q.status === 206));
    } finally {
      await hub.close();
    }
  });

  for (const backend of ['webgpu', 'wasm'] as const) {
    test(`models on ${backend}: CLIP, VAE encoder+decoder, UNet and its LoRA gradient, the space's V_k products match the references (and, on WebGPU, the in-graph inversion step)`, { timeout: 1_600_000 }, async (t) => {
      // The in-graph inversion step is WebGPU's (on wasm the app keeps the basis products as JS loops).
      const invert = backend === 'webgpu';
      const run = await conformance(t, browser, server, `backend=${backend}&checks=clip,vae,unet,unet-grad,space${invert ? ',invert' : ''}`, `conformance-models-${backend}.png`, 1_500_000);
      assert.equal(run.value.backend, backend);
      assertPassed(run, invert ? [...MODEL_KEYS, ...INVERT_KEYS] : MODEL_KEYS);
    });
  }

  test('a wrong expected value fails its check (and only that one)', { timeout: TIMEOUT }, async (t) => {
    const ref = await openSafetensors(fromBytes('ops', reference));
    const bad = reference.slice();
    const { byteOffset } = ref.info(opsKey.output('pooled'));
    const v = new DataView(bad.buffer, byteOffset, 4);
    v.setFloat32(0, v.getFloat32(0, true) * 1.01 + 1e-3, true);
    server.setFile(OPS_REFERENCE_PATH, bad);
    try {
      const run = await conformance(t, browser, server, 'backend=wasm&checks=ops');
      const byKey = Object.fromEntries(run.value.results.map((x) => [x.key, x]));
      assert.equal(byKey[opsKey.output('pooled')].ok, false);
      assert.ok(byKey[opsKey.output('pooled')].relErr > 1e-4);
      assert.equal(byKey[opsKey.output('conv_s2')].ok, true);
      assert.equal(byKey[opsKey.output('rows')].ok, true);
    } finally {
      server.setFile(OPS_REFERENCE_PATH, reference);
    }
  });

  test('a truncated reference file is reported, not crashed on', { timeout: TIMEOUT }, async (t) => {
    server.setFile(OPS_REFERENCE_PATH, reference.slice(0, reference.length - 100));
    try {
      const run = await conformance(t, browser, server, 'backend=wasm&checks=ops', 'conformance-truncated.png');
      assert.match(run.value.error ?? '', /^ops: .*reference\.safetensors.*outside the data section/);
      assert.deepEqual(run.value.results, []);
      assert.deepEqual(run.errors, []);
    } finally {
      server.setFile(OPS_REFERENCE_PATH, reference);
    }
  });
});
