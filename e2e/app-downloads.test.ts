// Downloads that cannot be silently corrupt, end to end (headless Chromium, wasm backend, the tiny fixture in
// hub layout): files checked against the hub's X-Linked-Etag (SHA-256) and, from a mirror without hashes, by
// size and header with a note saying so; a storage that takes short writes (test hook) ends in "storage full"
// and Retry resumes from the verified prefix; a storage too small for the whole download is found by the probe
// before anything is fetched; a flipped byte is caught by the hash and fetched once more; the
// same repo from two origins is stored once. Each test runs in a fresh (off-the-record) browser profile.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MODEL, MODEL_FILES, modelBytes, openApp } from './app-helpers';
import { launchChromium } from './browser';
import { DIST, FIXTURES, startServer, type TestServer } from './server';

const UNET = 'unet/diffusion_pytorch_model.safetensors';
const COPY = 'test/copy-sd';
const WEIGHTS = MODEL_FILES.filter((f) => f.endsWith('.safetensors'));
const fixture = (f: string) => readFileSync(path.join(FIXTURES, 'tiny-sd-a', f));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const resolvePath = (f: string) => `/${MODEL}/resolve/main/${f}`;

interface Entry {
  size: number;
  complete: boolean;
  verified: number;
  digest?: string;
}

type Hooks = { limitWrites(n: number): Promise<void>; freeSpace(): Promise<void>; probeDownloadsFrom(n: number): Promise<void> };
/** Calls a test hook of the page (?testHooks=1). */
const hook = (page: Page, name: keyof Hooks, arg?: number) =>
  page.evaluate(([name, arg]) => (window as unknown as { __w2wTest: Record<string, (n?: number) => Promise<void>> }).__w2wTest[name](arg), [name, arg] as const);

interface Opfs {
  /** Cache directories (one per repo and revision). */
  dirs: string[];
  manifest: Record<string, Entry>;
  /** Bytes of every cached file but the manifests, by path inside its directory. */
  sizes: Record<string, number>;
}

/** What the model cache holds in the page's Origin Private File System. */
function readOpfs(page: Page): Promise<Opfs> {
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  return page.evaluate(async () => {
    type Dir = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };
    const root = (await (await navigator.storage.getDirectory()).getDirectoryHandle('w2w-models')) as Dir;
    const out: Opfs = { dirs: [], manifest: {}, sizes: {} };
    const stack: [Dir, string][] = [];
    for await (const [name, h] of root.entries()) {
      if (h.kind !== 'directory') continue;
      out.dirs.push(name);
      stack.push([h as Dir, '']);
    }
    for (let top = stack.pop(); top; top = stack.pop()) {
      const [dir, prefix] = top;
      for await (const [name, h] of dir.entries()) {
        if (h.kind === 'directory') stack.push([h as Dir, `${prefix}${name}/`]);
        else if (name === '.manifest.json') Object.assign(out.manifest, JSON.parse(await (await (h as FileSystemFileHandle).getFile()).text()).files);
        else out.sizes[`${prefix}${name}`] = (await (h as FileSystemFileHandle).getFile()).size;
      }
    }
    return out;
  });
}

/** SHA-256 of a cached file, computed in the page with WebCrypto (independent of the app's hasher). */
function cachedSha256(page: Page, dir: string, file: string): Promise<string> {
  return page.evaluate(
    async ([dir, file]) => {
      let d = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('w2w-models')).getDirectoryHandle(dir);
      const parts = file.split('/');
      for (const p of parts.slice(0, -1)) d = await d.getDirectoryHandle(p);
      const bytes = await (await (await d.getFileHandle(parts[parts.length - 1])).getFile()).arrayBuffer();
      return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
    },
    [dir, file] as const,
  );
}

/** How each file was checked, as the Models screen's table says: [text, verified SHA-256]. */
async function fileChecks(page: Page): Promise<[string | null, string | null][]> {
  await page.getByRole('tab', { name: 'Models' }).click();
  // The per-file table is detail, folded under "Files (n)".
  await page.locator('details.files summary').click();
  await page.getByTestId('file-check').first().waitFor();
  return page.getByTestId('file-check').evaluateAll((cells) => cells.map((c) => [c.textContent, c.getAttribute('data-sha256')] as [string | null, string | null]));
}

const gets = (server: TestServer, file: string) => server.requests.filter((r) => r.method === 'GET' && r.path === resolvePath(file));

describe('downloads: hashes, short writes, corrupt bytes, two origins (wasm)', () => {
  let app: TestServer;
  let mirror: TestServer;
  let plain: TestServer;
  let browser: Browser;
  before(async () => {
    // The app and the hub with the hub's content headers; a second origin serving the same repo; a mirror without hashes.
    // The fixture also as a second repo (test/copy-sd), to see one model's cache cleared and the other's kept.
    const copy = Object.fromEntries(MODEL_FILES.map((f) => [`/${COPY}/resolve/main/${f}`, new Uint8Array(fixture(f))]));
    app = await startServer({ dist: DIST, owners: { test: FIXTURES }, files: copy, linkedEtag: true });
    mirror = await startServer({ owners: { test: FIXTURES }, linkedEtag: true });
    plain = await startServer({ owners: { test: FIXTURES } });
    browser = await launchChromium({ webgpu: false });
  });
  after(async () => {
    await browser?.close();
    await Promise.all([app, mirror, plain].map((s) => s?.close()));
  });

  const open = (hub: TestServer, query = '', context?: Parameters<typeof openApp>[2], model = MODEL) =>
    openApp(browser, `${app.url}/?hub=${encodeURIComponent(hub.url)}&model=${model}&backend=wasm${query}`, context);

  test('with X-Linked-Etag each weight file is verified by SHA-256; a second origin serving the repo reuses the same files', { timeout: 120_000 }, async () => {
    const first = await open(app);
    const { page, context } = first;
    await page.getByRole('button', { name: /^Download/ }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('hash-note').count(), 0);
    assert.deepEqual(await fileChecks(page), MODEL_FILES.map((f) => (f.endsWith('.safetensors') ? ['SHA-256 ✓', sha256(fixture(f))] : ['size + header', null])));
    const opfs = await readOpfs(page);
    assert.deepEqual(opfs.dirs, ['models--test--tiny-sd-a@main']);
    for (const f of WEIGHTS) assert.equal(opfs.manifest[f].digest, sha256(fixture(f)), f);
    assert.equal(await cachedSha256(page, opfs.dirs[0], UNET), sha256(fixture(UNET)));
    await page.close();

    // The same repo from another origin: loaded from the cache, nothing fetched, nothing stored twice.
    const second = await open(mirror, '', context);
    await second.page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    assert.deepEqual(mirror.requests.filter((r) => r.path.includes('/resolve/')), []);
    const after = await readOpfs(second.page);
    assert.deepEqual(after.dirs, ['models--test--tiny-sd-a@main']);
    assert.equal(Object.values(after.sizes).reduce((a, b) => a + b, 0), modelBytes());
    assert.deepEqual([...first.errors, ...second.errors], []);
    await context.close();
  });

  test('Clear cache removes the current model\'s files (and old-layout caches) and keeps another model\'s', { timeout: 120_000 }, async () => {
    const first = await open(app);
    await first.page.getByRole('button', { name: /^Download/ }).click();
    await first.page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    await first.page.close();
    const { page, context, errors } = await open(app, '', first.context, COPY);
    await page.getByRole('button', { name: /^Download/ }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    assert.deepEqual((await readOpfs(page)).dirs.sort(), ['models--test--copy-sd@main', 'models--test--tiny-sd-a@main']);
    // A cache in the layout of earlier versions (a directory per mirror URL) goes too.
    await page.evaluate(async () => {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('w2w-models');
      await (await root.getDirectoryHandle('127.0.0.1_8080_test_tiny-sd-a_resolve_main', { create: true })).getFileHandle('model_index.json', { create: true });
    });
    await page.getByRole('tab', { name: 'Models' }).click();
    await page.getByRole('button', { name: 'Clear cache' }).click();
    await page.getByRole('button', { name: 'Yes, clear cache' }).click();
    await page.getByTestId('download-total').waitFor({ state: 'detached' });
    const opfs = await readOpfs(page);
    assert.deepEqual(opfs.dirs, ['models--test--tiny-sd-a@main']);
    assert.deepEqual(Object.keys(opfs.sizes).sort(), [...MODEL_FILES].sort());
    assert.ok(Object.values(opfs.manifest).every((e) => e.complete));
    // Asked again, the plan finds nothing of this model cached.
    await page.getByRole('button', { name: 'Check sizes' }).click();
    // No space on this mirror (its listing is missing): the button downloads the model alone.
    await page.getByRole('button', { name: `Download model (${(modelBytes() / 1e6).toFixed(1)} MB)` }).waitFor({ timeout: 30_000 });
    assert.deepEqual([...first.errors, ...errors], []);
    await context.close();
  });

  test('a mirror without hashes: the note says so, files are checked by size and header', { timeout: 120_000 }, async () => {
    const { page, context, errors } = await open(plain);
    await page.getByTestId('download-total').waitFor();
    assert.equal(await page.getByTestId('hash-note').textContent(), 'no content hash from this mirror: checked by size and header');
    await page.getByRole('button', { name: /^Download/ }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    assert.deepEqual(await fileChecks(page), MODEL_FILES.map(() => ['size + header', null]));
    // The hash computed while writing is kept all the same (the hub's hash can confirm the file later).
    const opfs = await readOpfs(page);
    assert.equal(opfs.manifest[UNET].digest, sha256(fixture(UNET)));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('short writes end in "storage full" with nothing marked complete; Retry after freeing space resumes and verifies', { timeout: 120_000 }, async () => {
    const { page, context, errors } = await open(app, '&testHooks=1');
    await page.getByTestId('download-total').waitFor();
    // The storage takes the two small files before the UNet and half of the UNet, then writes come back short.
    const before = statSync(path.join(FIXTURES, 'tiny-sd-a', MODEL_FILES[0])).size + statSync(path.join(FIXTURES, 'tiny-sd-a', MODEL_FILES[1])).size;
    assert.equal(MODEL_FILES[2], UNET);
    const unet = fixture(UNET);
    const limit = before + Math.floor(unet.length / 2);
    await hook(page, 'limitWrites', limit);
    await page.getByRole('button', { name: /^Download/ }).click();
    const alert = page.getByTestId('model-error');
    await alert.waitFor({ timeout: 60_000 });
    const m = /^storage full: the browser stopped accepting writes to unet\/diffusion_pytorch_model\.safetensors after (\d+) bytes; (\d+) bytes \([\d.]+ MB\) more are needed\. .*persistent storage.*normal \(not private\) browser profile/.exec((await alert.textContent()) ?? '');
    assert.ok(m, `alert: ${await alert.textContent()}`);
    const kept = Number(m[1]);
    // Kept: what was written with full counts, up to the last whole chunk before the limit.
    assert.ok(kept <= limit - before && kept > 0, `kept ${kept}, limit ${limit - before}`);
    assert.equal(Number(m[2]), modelBytes() - before - kept);
    const opfs = await readOpfs(page);
    assert.deepEqual(Object.entries(opfs.manifest).filter(([, e]) => e.complete).map(([f]) => f), MODEL_FILES.slice(0, 2));
    assert.equal(opfs.manifest[UNET].verified, kept);
    assert.equal(opfs.sizes[UNET], kept, 'nothing beyond the verified prefix stays on disk');

    await hook(page, 'freeSpace');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    assert.deepEqual(gets(app, UNET).slice(-2).map((r) => [r.range, r.status]), [[undefined, 200], [`bytes=${kept}-`, 206]]);
    const done = await readOpfs(page);
    assert.equal(done.manifest[UNET].digest, sha256(unet));
    assert.equal(await cachedSha256(page, done.dirs[0], UNET), sha256(unet));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a storage too small for the download is found by the probe before anything is fetched; Retry after freeing space downloads', { timeout: 120_000 }, async () => {
    const { page, context, errors } = await open(app, '&testHooks=1');
    await page.getByTestId('download-total').waitFor();
    await hook(page, 'limitWrites', 1_000_000);
    await hook(page, 'probeDownloadsFrom', 0);
    const since = app.requests.length;
    await page.getByRole('button', { name: /^Download/ }).click();
    const alert = page.getByTestId('model-error');
    await alert.waitFor({ timeout: 60_000 });
    const mb = (modelBytes() / 1e6).toFixed(1);
    assert.match(
      (await alert.textContent()) ?? '',
      new RegExp(`^not enough storage: this browser profile could not set aside ${mb} MB for the download \\(the browser's estimate said [\\d.]+ [kMG]?B free\\)\\. Nothing was downloaded\\.`),
    );
    assert.deepEqual(app.requests.slice(since).filter((r) => r.method === 'GET' && r.path.includes('/resolve/')), []);
    const opfs = await readOpfs(page);
    assert.deepEqual([opfs.manifest, opfs.sizes], [{}, {}]);

    await hook(page, 'freeSpace');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    assert.equal(app.requests.slice(since).filter((r) => r.method === 'GET' && r.path === resolvePath(UNET)).length, 1);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a flipped byte (same size, valid header) is caught by the hash and fetched again; still wrong, the file is named', { timeout: 120_000 }, async () => {
    const unet = fixture(UNET);
    const url = resolvePath(UNET);
    // Once: the second fetch is right and the model loads.
    let n = gets(app, UNET).length;
    app.flipByte(url, 1);
    const once = await open(app);
    await once.page.getByRole('button', { name: /^Download/ }).click();
    await once.page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    assert.deepEqual(gets(app, UNET).slice(n).map((r) => [r.range, r.status]), [[undefined, 200], [undefined, 200]]);
    assert.equal((await readOpfs(once.page)).manifest[UNET].digest, sha256(unet));
    assert.deepEqual(once.errors, []);
    await once.context.close();

    // Twice: named with both hashes, nothing of it marked complete, Retry offered.
    n = gets(app, UNET).length;
    app.flipByte(url, 2);
    const twice = await open(app);
    await twice.page.getByRole('button', { name: /^Download/ }).click();
    const alert = twice.page.getByTestId('model-error');
    await alert.waitFor({ timeout: 60_000 });
    const bad = Buffer.from(unet);
    bad[Math.floor(bad.length / 2)] ^= 0xff;
    assert.equal(
      await alert.textContent(),
      `unet/diffusion_pytorch_model.safetensors is corrupt: its SHA-256 is ${sha256(bad)}, the server announced ${sha256(unet)} (downloaded twice)`,
    );
    assert.equal(gets(app, UNET).length - n, 2);
    const opfs = await readOpfs(twice.page);
    assert.equal(opfs.manifest[UNET], undefined, 'the wrong bytes are not kept');
    assert.equal(opfs.sizes[UNET], undefined);
    await twice.page.getByRole('button', { name: 'Retry' }).waitFor();
    await twice.context.close();
  });
});
