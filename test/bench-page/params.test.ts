// The benchmark page's query string: defaults, the checks on each parameter, the form's round trip, and the
// app's link to the page.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNS, DEFAULT_STEPS, parseSettings, settingsQuery } from '../../src/bench-page/params';
import { autoPrecision, benchUrl } from '../../src/ui/config';

describe('benchmark page settings', () => {
  it('defaults: 50 steps, 3 runs, the model\'s size, auto precision, the probed backend', () => {
    expect(parseSettings('')).toEqual({ steps: DEFAULT_STEPS, runs: DEFAULT_RUNS, size: undefined, precision: 'auto', backend: undefined, warmup: true });
    expect([DEFAULT_STEPS, DEFAULT_RUNS]).toEqual([50, 3]);
    expect(parseSettings('?steps=2&runs=1&size=64&precision=fp32&backend=webgpu')).toEqual({ steps: 2, runs: 1, size: 64, precision: 'fp32', backend: 'webgpu', warmup: true });
    // An empty field is the default, as a blank form field submits it.
    expect(parseSettings('?size=&steps=').size).toBeUndefined();
  });

  it('names the parameter that is wrong', () => {
    expect(() => parseSettings('?steps=0')).toThrow('steps=0: expected a whole number from 1 to 1000');
    expect(() => parseSettings('?steps=2.5')).toThrow('steps=2.5: expected a whole number from 1 to 1000');
    expect(() => parseSettings('?runs=abc')).toThrow('runs=abc: expected a whole number from 1 to 100');
    expect(() => parseSettings('?size=-64')).toThrow('size=-64: expected a whole number from 1 to 4096');
    expect(() => parseSettings('?precision=bf16')).toThrow('precision=bf16: expected "auto", "fp32" or "fp16"');
    expect(() => parseSettings('?warmup=no')).toThrow('warmup=no: expected 1 (an untimed first call per case) or 0 (none)');
    expect(() => parseSettings('?backend=cuda')).toThrow('unknown backend "cuda": expected "webgpu" or "wasm"');
  });

  it('the query the form submits reproduces the settings', () => {
    for (const search of ['', '?steps=7&runs=2&size=128&precision=fp16&backend=wasm&warmup=0']) {
      const s = parseSettings(search);
      expect(parseSettings(`?${settingsQuery(s)}`)).toEqual(s);
    }
    expect(settingsQuery(parseSettings('')).toString()).toBe('steps=50&runs=3');
    expect(parseSettings('?warmup=0').warmup).toBe(false);
  });

  it('the app links to the page with its model source and precision; auto precision is fp16 only on WebGPU with shader-f16', () => {
    const url = benchUrl({ hub: 'https://hf-mirror.example/a b', model: 'owner/repo', space: 'x/y' }, 'fp16');
    expect(url).toBe('bench.html?hub=https%3A%2F%2Fhf-mirror.example%2Fa+b&model=owner%2Frepo&precision=fp16');
    expect(parseSettings(url.slice(url.indexOf('?'))).precision).toBe('fp16');
    expect(autoPrecision({ provider: 'webgpu', shaderF16: true })).toBe('fp16');
    expect(autoPrecision({ provider: 'webgpu', shaderF16: false })).toBe('fp32');
    expect(autoPrecision({ provider: 'wasm', shaderF16: true })).toBe('fp32');
  });
});
