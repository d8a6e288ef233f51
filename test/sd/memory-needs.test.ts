// What a model needs, from configs and weight headers: exact weight bytes, activation lower bounds, and the
// verdict per backend (the full-size SD 1.5 is refused on wasm, whose heap is 4 GiB).
import { describe, expect, it } from 'vitest';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { generationBytes, inversionBytes, memoryNeeds, verdict, WASM_HEAP_BYTES, type MemoryNeeds } from '../../src/engine/sd/memory-needs';
import { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture } from '../helpers/fixture';

const NO_SESSIONS = { createSession: () => Promise.reject(new Error('not in this test')) };
const tensorBytes = async (file: string) => {
  const st = await openFixture(...file.split('/'));
  return st.keys().reduce((a, k) => a + st.info(k).byteLength, 0);
};

/** realistic-vision-v51 at 512² (parameter counts exact; activations as test/graph/liveness measures them). */
const SD15 = (bytes: 2 | 4): MemoryNeeds => ({
  size: 512,
  weights: { unet: 859_520_964 * bytes, vae: 83_653_863 * bytes, text: 123_060_480 * bytes }, weightItemBytes: bytes,
  largestWeight: 1280 * 2560 * 9 * bytes,
  cfgStep: 0.2 * 2 ** 30, decode: 0.3 * 2 ** 30, gradStep: 1.86 * 2 ** 30, encode: 0.3 * 2 ** 30,
  k: 10_000, basis: 10_000 * 99_648 * 4,
});

describe('memory needs', () => {
  it('the fixture: weight bytes as in the files, every activation bound positive, the gradient step the largest', async () => {
    const sd = await StableDiffusion.load(folderFromPath(fixturePath()), NO_SESSIONS);
    const n = await memoryNeeds(sd, { size: 64, k: 48 });
    // Every tensor of the files is used, but CLIP's position_ids (77 int64: the graph makes its own).
    expect(n.weights).toEqual({
      unet: await tensorBytes('unet/diffusion_pytorch_model.safetensors'),
      vae: await tensorBytes('vae/diffusion_pytorch_model.safetensors'),
      text: (await tensorBytes('text_encoder/model.safetensors')) - 77 * 8,
    });
    expect(n.basis).toBe(48 * sd.loraSize * 4 + 8 * sd.loraSize); // V_k float32, std and mean
    for (const v of [n.cfgStep, n.decode, n.gradStep, n.encode]) expect(v).toBeGreaterThan(0);
    expect(n.gradStep).toBeGreaterThan(n.cfgStep);
    // fp16 storage halves the weights.
    const half = await StableDiffusion.load(folderFromPath(fixturePath()), NO_SESSIONS, { precision: { compute: 'float16', storage: 'float16' } });
    const h = await memoryNeeds(half, { size: 64, k: 48 });
    expect(h.weights.unet).toBe(n.weights.unet / 2);
    // …and V_k, stored as the weights are (std and mean stay float32).
    expect(h.basis).toBe(48 * sd.loraSize * 2 + 8 * sd.loraSize);
    expect(verdict(n, { provider: 'wasm', shaderF16: false })).toEqual({ ok: true, notes: [] });
  });

  it('SD 1.5 does not fit wasm, fp32 or fp16 (its CPU kernels run fp32); on WebGPU it is said what it needs', () => {
    for (const bytes of [4, 2] as const) {
      const v = verdict(SD15(bytes), { provider: 'wasm', shaderF16: false });
      expect(v.ok).toBe(false);
      expect(v.notes[0]).toMatch(/^This model needs at least 4\.\d+ GB to generate, more than the 4\.29 GB WebAssembly can address: it cannot run without WebGPU/);
    }
    // The same fp16 weights on WebGPU: what generation needs fits the wasm-sized budget; it is only said.
    expect(generationBytes(SD15(2))).toBeLessThan(WASM_HEAP_BYTES);
    const gpu = verdict(SD15(4), { provider: 'webgpu', shaderF16: false, maxStorageBufferBindingSize: 2 ** 30 });
    expect(gpu.ok).toBe(true);
    expect(gpu.notes).toHaveLength(2);
    expect(gpu.notes[1]).toMatch(/^Without shader-f16 the weights are fp32/);
    expect(inversionBytes(SD15(4))).toBeGreaterThan(8 * 2 ** 30);
    const tiny = verdict(SD15(4), { provider: 'webgpu', shaderF16: true, maxStorageBufferBindingSize: 64 * 2 ** 20 });
    expect(tiny.ok).toBe(false);
    expect(tiny.notes[0]).toMatch(/is larger than this GPU's largest buffer binding \(67\.1 MB\)/);
  });
});
