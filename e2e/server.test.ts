// The e2e server behaves like the Hugging Face hub for the engine's HTTP reader, and isolates the build.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { folderFromUrl } from '../src/engine/io/model-folder';
import { openSafetensors } from '../src/engine/io/safetensors';
import { DIST, FIXTURES, parseRange, startServer, type TestServer } from './server';

const REF = path.join(FIXTURES, 'tiny-sd-a', 'reference.safetensors');
const HUB = '/test/tiny-sd-a/resolve/main';

describe('e2e server', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ dist: DIST, owners: { test: FIXTURES }, files: { '/test/mem/resolve/main/a.bin': Uint8Array.from([1, 2, 3, 4, 5]) } });
  });
  after(() => server.close());

  test('parses single byte ranges as the hub does', () => {
    assert.deepEqual(parseRange('bytes=0-3', 10), { start: 0, end: 3 });
    assert.deepEqual(parseRange('bytes=4-', 10), { start: 4, end: 9 });
    assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
    assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
    assert.equal(parseRange('bytes=10-12', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-65535', 0), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,4-5', 10), null);
    assert.equal(parseRange(undefined, 10), null);
  });

  test('maps the hub layout onto the fixtures, with ranges, HEAD and 404', async () => {
    const whole = readFileSync(REF);
    const head = await fetch(`${server.url}${HUB}/reference.safetensors`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(whole.length));
    assert.equal(head.headers.get('accept-ranges'), 'bytes');

    const part = await fetch(`${server.url}${HUB}/reference.safetensors`, { headers: { Range: 'bytes=8-15' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 8-15/${whole.length}`);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), new Uint8Array(whole.subarray(8, 16)));

    const past = await fetch(`${server.url}${HUB}/reference.safetensors`, { headers: { Range: `bytes=${whole.length}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${whole.length}`);

    const config = await fetch(`${server.url}${HUB}/unet/config.json`);
    assert.equal(config.status, 200);
    assert.match(config.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal((await config.json())._class_name, 'UNet2DConditionModel');

    for (const missing of [`${HUB}/unet/nope.json`, '/test/no-such-repo/resolve/main/x', '/other/tiny-sd-a/resolve/main/model_index.json'])
      assert.equal((await fetch(`${server.url}${missing}`)).status, 404, missing);
    // Encoded dots must not walk out of the fixtures.
    assert.equal((await fetch(`${server.url}/test/tiny-sd-a/resolve/main/..%2F..%2F..%2Fetc%2Fpasswd`)).status, 404);
  });

  test("the engine's HTTP reader opens fixture files through it", async () => {
    const folder = folderFromUrl(`${server.url}${HUB}`);
    assert.equal((await folder.json('model_index.json'))._class_name, 'StableDiffusionPipeline');
    const ref = await openSafetensors(await folder.source('reference.safetensors'));
    assert.deepEqual(ref.info('unet.sample').shape, [2, 4, 16, 16]);
    assert.equal((await ref.readFloat32('unet.sample')).length, 2 * 4 * 16 * 16);
    assert.ok(server.requests.some((r) => r.path.endsWith('reference.safetensors') && r.status === 206));
  });

  test('serves in-memory files, and replaces them for bad-input tests', async () => {
    const url = `${server.url}/test/mem/resolve/main/a.bin`;
    const r = await fetch(url, { headers: { Range: 'bytes=1-2' } });
    assert.equal(r.status, 206);
    assert.deepEqual(new Uint8Array(await r.arrayBuffer()), Uint8Array.from([2, 3]));
    server.setFile(`${HUB}/model_index.json`, new TextEncoder().encode('{"truncated'));
    assert.equal(await (await fetch(`${server.url}${HUB}/model_index.json`)).text(), '{"truncated');
    await assert.rejects(folderFromUrl(`${server.url}${HUB}`).json('model_index.json'), /invalid JSON in model_index\.json/);
  });

  test('serves the build cross-origin isolated, onnxruntime-web assets included', async () => {
    const assets = readdirSync(path.join(DIST, 'assets'));
    const wasm = assets.find((f) => /^ort-wasm-simd-threaded\.asyncify-.*\.wasm$/.test(f));
    assert.ok(wasm, `no onnxruntime wasm in dist/assets: ${assets}`);
    assert.ok(assets.some((f) => /^ort\.webgpu\.bundle\.min-.*\.js$/.test(f)), 'no onnxruntime-web chunk');
    for (const p of ['/', '/conformance.html', `/assets/${wasm}`]) {
      const r = await fetch(`${server.url}${p}`, { method: 'HEAD' });
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
      assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
      assert.equal(r.headers.get('cross-origin-resource-policy'), 'cross-origin');
    }
    const type = async (p: string) => (await fetch(`${server.url}${p}`, { method: 'HEAD' })).headers.get('content-type');
    assert.equal(await type(`/assets/${wasm}`), 'application/wasm');
    assert.match((await type('/')) ?? '', /^text\/html/);
  });
});

describe('e2e server with the hub\'s content headers', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ owners: { test: FIXTURES }, linkedEtag: true });
  });
  after(() => server.close());
  const UNET = `${HUB}/unet/diffusion_pytorch_model.safetensors`;
  const unet = readFileSync(path.join(FIXTURES, 'tiny-sd-a', 'unet', 'diffusion_pytorch_model.safetensors'));

  test('an LFS-type file carries its SHA-256 as X-Linked-Etag and ETag; a git file its blob SHA-1', async () => {
    const sha256 = createHash('sha256').update(unet).digest('hex');
    const head = await fetch(`${server.url}${UNET}`, { method: 'HEAD' });
    assert.equal(head.headers.get('x-linked-etag'), `"${sha256}"`);
    assert.equal(head.headers.get('etag'), `"${sha256}"`);
    assert.equal(head.headers.get('x-linked-size'), String(unet.length));
    assert.match(head.headers.get('access-control-expose-headers') ?? '', /X-Linked-Etag/);
    const config = readFileSync(path.join(FIXTURES, 'tiny-sd-a', 'unet', 'config.json'));
    const blob = createHash('sha1').update(`blob ${config.length}\0`).update(config).digest('hex');
    const json = await fetch(`${server.url}${HUB}/unet/config.json`, { method: 'HEAD' });
    assert.equal(json.headers.get('etag'), `"${blob}"`);
    assert.equal(json.headers.get('x-linked-etag'), null);
  });

  test('flipByte inverts the middle byte of the next N GETs only, ranges included', async () => {
    const mid = Math.floor(unet.length / 2);
    server.flipByte(UNET, 2);
    const first = Buffer.from(await (await fetch(`${server.url}${UNET}`)).arrayBuffer());
    assert.equal(first.length, unet.length);
    assert.equal(first[mid], unet[mid] ^ 0xff);
    assert.ok(first.subarray(0, mid).equals(unet.subarray(0, mid)) && first.subarray(mid + 1).equals(unet.subarray(mid + 1)));
    const ranged = Buffer.from(await (await fetch(`${server.url}${UNET}`, { headers: { Range: `bytes=${mid - 3}-` } })).arrayBuffer());
    assert.equal(ranged[3], unet[mid] ^ 0xff);
    const third = Buffer.from(await (await fetch(`${server.url}${UNET}`)).arrayBuffer());
    assert.ok(third.equals(unet));
  });
});
