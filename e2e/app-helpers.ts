// Shared pieces of the app's end-to-end tests: the server with the fixture (plus a corrupt copy), a page
// that records console errors and long tasks, and screenshots.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { openSafetensors } from '../src/engine/io/safetensors';
import { fromBytes } from '../src/engine/io/source';
import { loadTensor } from '../src/engine/torch/index';
import { openPath } from '../src/engine/io/source-node';
import { SCREENSHOTS } from './browser';
import { DIST, FIXTURES, startServer, type TestServer } from './server';

export const MODEL = 'test/tiny-sd-a';
export const SPACE = 'test/tiny-sd-a/w2w-space';
/** A copy of the fixture whose UNet weights have a broken safetensors header. */
export const BROKEN = 'test/broken-sd';

export const MODEL_FILES = [
  'model_index.json', 'unet/config.json', 'unet/diffusion_pytorch_model.safetensors', 'vae/config.json',
  'vae/diffusion_pytorch_model.safetensors', 'text_encoder/config.json', 'text_encoder/model.safetensors',
  'tokenizer/vocab.json', 'tokenizer/merges.txt', 'scheduler/scheduler_config.json',
];

/** Tensor bytes of a fixture weight file (its data section: float32 here, as the engine holds it). */
export async function fixtureTensorBytes(file: string): Promise<number> {
  const st = await openSafetensors(await openPath(path.join(FIXTURES, 'tiny-sd-a', file)));
  return st.keys().reduce((a, k) => a + st.info(k).byteLength, 0);
}

/** Bytes of the fixture's model files, as the download plan must total them. */
export const modelBytes = (): number => MODEL_FILES.reduce((a, f) => a + statSync(path.join(FIXTURES, 'tiny-sd-a', f)).size, 0);

export async function appServer(): Promise<TestServer> {
  const files: Record<string, Uint8Array> = {};
  for (const f of MODEL_FILES) {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, 'tiny-sd-a', f)));
    // Same size, but the header length prefix points past the end of the file.
    if (f.startsWith('unet/') && f.endsWith('.safetensors')) new DataView(bytes.buffer).setBigUint64(0, BigInt(bytes.length * 2), true);
    files[`/${BROKEN}/resolve/main/${f}`] = bytes;
  }
  return startServer({ dist: DIST, owners: { test: FIXTURES }, files: { ...files, ...spaceListing() } });
}

/** The hub's tree API for the fixture's space folder, which a space import lists (to find proj_<n>pc.pt). */
export function spaceListing(): Record<string, Uint8Array> {
  const dir = path.join(FIXTURES, 'tiny-sd-a', 'w2w-space');
  const listing = readdirSync(dir).map((f) => ({ type: 'file', path: `w2w-space/${f}`, size: statSync(path.join(dir, f)).size }));
  return { '/api/models/test/tiny-sd-a/tree/main/w2w-space': new TextEncoder().encode(JSON.stringify(listing)) };
}

export interface AppPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  /** Long animation frames since the last reset, with the scripts that ran in them (diagnostics). */
  frames(): Promise<unknown[]>;
  /** Long tasks (ms) recorded since the last reset, via PerformanceObserver('longtask'). */
  longTasks(): Promise<number[]>;
  resetLongTasks(): Promise<void>;
  shot(name: string): Promise<void>;
}

// Installed before any page script: every long task of the page's main thread is kept.
const LONG_TASKS = `
  window.__longTasks = [];
  window.__frames = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
  // What ran in long frames (scripts with their source), to say which code a long task came from.
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__frames.push({ duration: e.duration, blocking: e.blockingDuration, scripts: e.scripts.map((s) => ({ d: s.duration, invoker: s.invoker, src: s.sourceURL, fn: s.sourceFunctionName })) }); })
    .observe({ type: 'long-animation-frame', buffered: true });
`;

export async function openApp(browser: Browser, url: string, context?: BrowserContext): Promise<AppPage> {
  const ctx = context ?? (await browser.newContext({ viewport: { width: 1280, height: 900 } }));
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error${m.worker() ? ' (worker)' : ''}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  await page.addInitScript(LONG_TASKS);
  await page.goto(url);
  return {
    page,
    context: ctx,
    errors,
    longTasks: () => page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.slice()),
    resetLongTasks: () =>
      page.evaluate(() => {
        const w = window as unknown as { __longTasks: number[]; __frames: unknown[] };
        w.__longTasks.length = 0;
        w.__frames.length = 0;
      }),
    frames: () => page.evaluate(() => (window as unknown as { __frames: unknown[] }).__frames.slice()),
    async shot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
    },
  };
}

/** PNG bytes of an <img> on the page (its blob: URL read in the page). */
export async function imageBytes(page: Page, selector: string): Promise<Buffer> {
  const b64 = await page.locator(selector).first().evaluate(async (img: HTMLImageElement) => {
    const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let s = '';
    for (const x of buf) s += String.fromCharCode(x);
    return btoa(s);
  });
  return Buffer.from(b64, 'base64');
}

/** Opens every folded "Advanced" section on the page (the settings the tests change live there). */
export async function openAdvanced(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLDetailsElement>('details.advanced').forEach((d) => (d.open = true)));
}

/** Exports the current identity as w2wmodel.pt and returns its coefficients. */
export async function exportW2w(page: Page): Promise<Float32Array> {
  await page.getByLabel('Format').selectOption('w2w');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const d = await download;
  return (await loadTensor(fromBytes(d.suggestedFilename(), await readFile((await d.path())!)))).read();
}

/** Moves a range input by `steps` key presses (negative: down). */
export async function nudge(page: Page, name: string, steps: number): Promise<void> {
  const slider = page.getByRole('slider', { name, exact: true });
  await slider.focus();
  for (let i = 0; i < Math.abs(steps); i++) await page.keyboard.press(steps > 0 ? 'ArrowRight' : 'ArrowLeft');
}

/**
 * What the page's IndexedDB holds (idb-keyval's default store unless `db`/`store` name another): the value at
 * `key`, or every value, or every key (`keys`). Typed arrays come back as plain arrays, Blobs as {}.
 */
export async function readIdb(page: Page, read: { db?: string; store?: string; key?: string; keys?: boolean }): Promise<unknown> {
  const json = await page.evaluate(
    ({ db, store, key, keys }) =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const os = open.result.transaction(store).objectStore(store);
          const req = key !== undefined ? os.get(key) : keys ? os.getAllKeys() : os.getAll();
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            open.result.close();
            resolve(JSON.stringify(req.result ?? null, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)));
          };
        };
      }),
    { db: read.db ?? 'keyval-store', store: read.store ?? 'keyval', key: read.key, keys: !!read.keys },
  );
  return JSON.parse(json);
}
