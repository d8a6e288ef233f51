// Weights as inputs fed from one store: the same outputs as initializers, and one copy of each weight for
// every session of the model (forward at two sizes, the gradient graph).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { HostWeights } from '../../src/engine/runtime/host-weights';
import { createNodeSession, nodeOrt } from '../../src/engine/runtime/node';
import { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';
import type { HostTensor } from '../../src/engine/runtime/tensor';

describe('weights as inputs (one HostWeights store)', () => {
  let store: HostWeights;
  let shared: StableDiffusion;
  let plain: StableDiffusion;
  let inputs: Record<string, HostTensor>;
  let flat: Float32Array;

  beforeAll(async () => {
    store = new HostWeights(nodeOrt);
    shared = await StableDiffusion.load(folderFromPath(fixturePath()), { createSession: (g) => createNodeSession(g, { weights: store, memory: 'low' }) });
    plain = await StableDiffusion.load(folderFromPath(fixturePath()), { createSession: (g) => createNodeSession(g, { memory: 'low' }) });
    const ref = await openFixture('reference.safetensors');
    inputs = {};
    for (const k of ['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states', 'lora.target', 'lora.mask']) inputs[k] = await tensor(ref, k);
    flat = await ref.readFloat32('lora.flat');
  });
  afterAll(async () => {
    await shared.release();
    await plain.release();
    await store.release();
  });

  it('gives the same eps, loss and gradient as initializers', async () => {
    const [x, t, text] = [inputs['unet.sample'], inputs['unet.timestep'], inputs['unet.encoder_hidden_states']];
    const eps = async (sd: StableDiffusion) => (await sd.unet(x, t, text, flat)).data as Float32Array;
    expect(relErr(await eps(shared), await eps(plain))).toBeLessThan(1e-6);
    const g = (sd: StableDiffusion) => sd.unetLossGrad(x, t, text, inputs['lora.target'], inputs['lora.mask'], flat);
    const [a, b] = [await g(shared), await g(plain)];
    expect(Math.abs(a.loss - b.loss) / b.loss).toBeLessThan(1e-6);
    expect(relErr(a.grad, b.grad)).toBeLessThan(1e-6);
  });

  it('holds each weight file once, whatever sessions ran (a pullback metric product among them, same values)', async () => {
    // Forward at 16×16 (above), the gradient graph, a forward at another latent size, a JᵀJ product.
    const x8 = { dtype: 'float32' as const, shape: [1, 4, 8, 8], data: new Float32Array(256).fill(0.1) };
    const t1: HostTensor = { dtype: 'int64', shape: [1], data: BigInt64Array.of(500n) };
    const text1 = { ...inputs['unet.encoder_hidden_states'], shape: [1, 77, 32], data: (inputs['unet.encoder_hidden_states'].data as Float32Array).slice(0, 77 * 32) };
    await shared.unet(x8, t1, text1, flat);
    const feeds = {
      sample: x8, timestep: t1, encoder_hidden_states: text1, lora: { dtype: 'float32' as const, shape: [flat.length], data: flat },
      tangent: { dtype: 'float32' as const, shape: [1, 4, 8, 8], data: Float32Array.from({ length: 256 }, (_, i) => Math.sin(i)) },
    };
    const jtj = async (sd: StableDiffusion) => (await sd.pullback('sample', ['jtj'], feeds)).jtj.data as Float32Array;
    expect(relErr(await jtj(shared), await jtj(plain))).toBeLessThan(1e-5);
    const unet = await openFixture('unet', 'diffusion_pytorch_model.safetensors');
    const fileBytes = unet.keys().reduce((a, k) => a + unet.info(k).byteLength, 0);
    const held = await store.bytesBySource();
    console.log('weights held once:', held, 'UNet file tensor bytes', fileBytes);
    expect(held[unet.name]).toBe(fileBytes);
  });
});
