// `npm run bench -- --provider webgpu`: onnxruntime-node's WebGPU provider with the weights uploaded once.
// Here (no GPU) it runs on Chromium's SwiftShader Vulkan driver: the tiny model gets a timed, finite row;
// the full-size model a row that says there is no GPU adapter, without trying.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../bench/report';

describe('bench --provider webgpu (SwiftShader)', () => {
  it('times the tiny model on WebGPU and says why the full-size one is not run', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'w2w-bench-')), 'results.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--models', 'tiny,sd15', '--precisions', 'fp32', '--tasks', 'forward', '--engines', 'ort',
        '--provider', 'webgpu', '--runs', '1', '--no-docs', '--out', out],
      { cwd: process.cwd(), maxBuffer: 16 << 20 },
    );
    const res = JSON.parse(await readFile(out, 'utf8')) as Results;
    expect(res.cases.map((c) => [c.model, c.provider, c.task])).toEqual([['tiny', 'webgpu', 'forward'], ['sd15', 'webgpu', 'forward']]);
    const [tiny, sd15] = res.cases;
    expect(tiny.ort?.error).toBeUndefined();
    expect(tiny.ort).toMatchObject({ provider: 'webgpu', finite: true });
    expect(tiny.ort!.times_ms!.every((t) => t > 0)).toBe(true);
    // Every UNet weight of the fixture held once on the device (12,890,768 bytes).
    expect(tiny.ort!.gpu_weights_mib).toBeCloseTo(12_890_768 / 2 ** 20, 6);
    expect(sd15.ort?.error).toBe('no GPU adapter: only SwiftShader (a CPU fallback), far too slow for the full-size model');
    expect(stdout).toMatch(/\| tiny \| fp32 \| forward b2, WebGPU \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
  }, 900_000);
});
