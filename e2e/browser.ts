// Debian's Chromium driven by playwright-core, headless, on a closed network. WebGPU comes from the
// SwiftShader Vulkan driver shipped with Chromium once --enable-unsafe-webgpu is given.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from './server';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/lib/chromium/chromium';
export const SCREENSHOTS = path.join(REPO_ROOT, 'e2e', 'screenshots');

// Nothing reaches out to Google's services; playwright adds --headless and --no-sandbox itself.
const QUIET = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-default-apps',
];

/** Each launch gets a fresh temporary profile (playwright's default), removed on close. */
export function launchChromium({ webgpu = true } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...QUIET, ...(webgpu ? ['--enable-unsafe-webgpu'] : [])],
  });
}

export interface PageRun<T> {
  value: T;
  /** console.error from the page and its workers, and uncaught exceptions. */
  errors: string[];
  /** Requests that failed at the network level (blocked by COEP, refused, aborted). */
  failedRequests: string[];
  /** Script URLs of the workers the page started (onnxruntime's wasm threads included). */
  workers: string[];
  ms: number;
}

export interface RunPageOptions {
  /** A JS expression, polled until truthy; its value is returned (e.g. "window.__conformance"). */
  until: string;
  timeoutMs?: number;
  /** File name under e2e/screenshots/, taken when the page is done. */
  screenshot?: string;
}

export async function runPage<T>(browser: Browser, url: string, opts: RunPageOptions): Promise<PageRun<T>> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  const failedRequests: string[] = [];
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error${m.worker() ? ' (worker)' : ''}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
  const t0 = performance.now();
  try {
    await page.goto(url);
    const handle = await page.waitForFunction(opts.until, undefined, { timeout: opts.timeoutMs ?? 120_000, polling: 250 });
    const value = (await handle.jsonValue()) as T;
    const ms = Math.round(performance.now() - t0);
    if (opts.screenshot) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, opts.screenshot), fullPage: true });
    }
    return { value, errors, failedRequests, workers, ms };
  } catch (e) {
    // A timeout alone says little: attach what the page reported.
    (e as Error).message += `\npage errors: ${JSON.stringify(errors)}\nfailed requests: ${JSON.stringify(failedRequests)}`;
    throw e;
  } finally {
    await context.close();
  }
}
