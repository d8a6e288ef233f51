// The benchmark page's report text: the Markdown table and run line people paste, the copied JSON, medians,
// number formats and the error text a failed case gets.
import { describe, expect, it } from 'vitest';
import { caseError, copyText, describeRun, formatMiB, formatSeconds, isFailed, markdownTable, median, type BenchReport } from '../../src/bench-page/report';

const report: BenchReport = {
  date: '2026-12-02T10:00:00.000Z',
  model: { repo: 'test/tiny-sd-a', source: 'http://127.0.0.1:1/test/tiny-sd-a/resolve/main', revision: 'main' },
  provider: 'webgpu',
  precision: 'fp32',
  adapter: { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)', isFallbackAdapter: true },
  shaderF16: true,
  limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 27 },
  crossOriginIsolated: true,
  numThreads: 2,
  settings: { steps: 2, runs: 2, size: 64, precision: 'fp32', backend: 'webgpu', warmup: true },
  gpu_weights_bytes: { 'unet/diffusion_pytorch_model.safetensors': 20 * 2 ** 20 },
  cases: [
    { case: 'unet_step_b2', label: 'UNet step, batch 2, 8×8 latents', seconds: 1.23456, times_ms: [1000, 1469.12], first_ms: 4500, gpu_peak_bytes: 3 * 2 ** 20, finite: true },
    { case: 'generation', label: 'a | b', seconds: 123.4, times_ms: [123_400, 123_400], finite: false, gpu_peak_bytes: 5.25 * 2 ** 20 },
    { case: 'grad_step_b1', label: 'gradient step', error: 'out of memory: no\nroom' },
  ],
};

describe('benchmark report text', () => {
  it('a Markdown table: a row per case with seconds, the first call, runs, peak MiB and the outcome', () => {
    const lines = markdownTable(report).split('\n');
    expect(lines[0]).toBe(describeRun(report));
    expect(lines.slice(1)).toEqual([
      '',
      '| case | s | first s | runs | peak GPU MiB | result |',
      '| --- | --- | --- | --- | --- | --- |',
      '| UNet step, batch 2, 8×8 latents | 1.23 | 4.50 | 2 | 3.0 | ok |',
      // A pipe in a label is escaped; a non-finite output is said so.
      '| a \\| b | 123 | – | 2 | 5.3 | non-finite output |',
      '| gradient step | – | – | 0 | – | error: out of memory: no room |',
    ]);
  });

  it('the run line names the adapter, its limits, provider, precision, model and settings', () => {
    expect(describeRun(report)).toBe(
      '2026-12-02T10:00:00.000Z · google swiftshader SwiftShader Device (Subzero) (fallback adapter) · shader-f16 yes · ' +
        'maxBufferSize 2048.0 MiB, maxStorageBufferBindingSize 128.0 MiB · webgpu · fp32 · test/tiny-sd-a · 64×64 px, 2 steps, 2 timed runs',
    );
    const wasm: BenchReport = { ...report, provider: 'wasm', reason: 'no adapter', adapter: undefined, limits: undefined, shaderF16: false, model: { ...report.model, variant: 'fp16' } };
    expect(describeRun(wasm)).toBe(
      '2026-12-02T10:00:00.000Z · no WebGPU adapter · shader-f16 no · wasm (no adapter) · fp32 · test/tiny-sd-a (fp16 weights) · 64×64 px, 2 steps, 2 timed runs',
    );
    const once: BenchReport = { ...report, settings: { ...report.settings, steps: 1, runs: 1 } };
    expect(describeRun(once).endsWith('64×64 px, 1 step, 1 timed run')).toBe(true);
  });

  it('copies the table, then the whole report as JSON that parses back', () => {
    const text = copyText(report);
    expect(text.startsWith(`${markdownTable(report)}\n\n\`\`\`json\n`)).toBe(true);
    expect(JSON.parse(/```json\n([\s\S]*)\n```\n$/.exec(text)![1])).toEqual(report);
  });

  it('medians, seconds and MiB', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
    expect([0.012345, 1.5, 99.94, 100.4, 2500].map(formatSeconds)).toEqual(['0.0123', '1.50', '99.9', '100', '2500']);
    expect(formatSeconds(undefined)).toBe('–');
    expect(formatSeconds(NaN)).toBe('–');
    expect(formatMiB(1.5 * 2 ** 20)).toBe('1.5');
    expect(formatMiB(undefined)).toBe('–');
  });

  it('a failed case says when it was a lost device or memory, once', () => {
    expect(caseError('mapAsync failed', 'destroyed: Device was destroyed.')).toBe('GPU device lost (destroyed: Device was destroyed.): mapAsync failed');
    expect(caseError('ERROR_CODE: 6 std::bad_alloc')).toBe('out of memory: ERROR_CODE: 6 std::bad_alloc');
    expect(caseError('Failed to allocate buffer of 4 GB')).toBe('out of memory: Failed to allocate buffer of 4 GB');
    // createWebSession's own out-of-memory text is not prefixed again.
    expect(caseError('out of memory creating the unet session on wasm: …')).toBe('out of memory creating the unet session on wasm: …');
    expect(caseError('size=100: not a multiple of 64')).toBe('size=100: not a multiple of 64');
  });

  it('tells a failed page report from a run', () => {
    expect(isFailed(report)).toBe(false);
    expect(isFailed({ error: 'no cached model', cases: [] })).toBe(true);
  });
});
