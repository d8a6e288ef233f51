// The tiny model through onnxruntime-node's WebGPU provider (`--provider webgpu`, every weight uploaded once
// and shared by all sessions), on Chromium's SwiftShader Vulkan driver: the CLI's `eval` in a child process
// (the Vulkan loader path must be set before the process starts) against the fixture's reference.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors, type SafetensorsFile, type TensorToWrite } from '../../src/engine/io/safetensors';
import { openPath } from '../../src/engine/io/source-node';
import { NO_ADAPTER, SWIFTSHADER_VULKAN_ENV } from '../../src/engine/runtime/node';
import { fixturePath, openFixture, relErr } from '../helpers/fixture';

const run = (env: Record<string, string>, ...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: process.cwd(), env: { ...process.env, ...env }, maxBuffer: 16 << 20,
  });

/** The reference's inputs for every component but the 6-step pipelines (minutes more on SwiftShader). */
const INPUTS = ['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states', 'lora.flat', 'lora.target', 'lora.mask', 'vae.image', 'vae.latent_in', 'clip.ids', 'clip.uncond_ids'];
const TOLERANCE: Record<string, number> = {
  'unet.eps': 1e-4, 'unet.eps_lora': 1e-4, 'lora.loss': 1e-4, 'lora.grad_flat': 1e-3, 'vae.latent_mean': 1e-4, 'vae.latent_logvar': 1e-4,
  'vae.decoded': 1e-4, 'clip.last_hidden_state': 1e-4, 'clip.uncond_last_hidden_state': 1e-4,
};

describe('onnxruntime-node WebGPU provider on SwiftShader (--provider webgpu)', () => {
  let ref: SafetensorsFile;
  let dir: string;
  let inputs: string;

  beforeAll(async () => {
    ref = await openFixture('reference.safetensors');
    dir = await mkdtemp(join(tmpdir(), 'w2w-webgpu-'));
    const t: Record<string, TensorToWrite> = {};
    for (const k of INPUTS) {
      const { dtype, shape } = ref.info(k);
      t[k] = { dtype: dtype as 'F32' | 'I64', shape: [...shape], data: dtype === 'I64' ? await ref.readInt64(k) : await ref.readFloat32(k) };
    }
    inputs = join(dir, 'inputs.safetensors');
    await writeFile(inputs, writeSafetensors(t));
  });

  it('eval reproduces every component key of the reference', async () => {
    const out = join(dir, 'out.safetensors');
    const t0 = Date.now();
    await run(SWIFTSHADER_VULKAN_ENV, 'eval', '--model', fixturePath(), '--provider', 'webgpu', '--inputs', inputs, '--out', out);
    const got = await openSafetensors(await openPath(out));
    expect(got.keys().sort()).toEqual(Object.keys(TOLERANCE).sort());
    const errs: Record<string, string> = {};
    for (const [key, tol] of Object.entries(TOLERANCE)) {
      const e = relErr(await got.readFloat32(key), await ref.readFloat32(key));
      errs[key] = e.toExponential(2);
      expect(e, key).toBeLessThanOrEqual(tol);
    }
    console.log(`--provider webgpu (SwiftShader), ${Date.now() - t0} ms:`, errs);
  }, 900_000);

  it('inversion with θ and ∂L/∂c inside the gradient graph (V_k on the GPU) equals the separate products', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/helpers/invert-step-child.ts'], {
      cwd: process.cwd(), env: { ...process.env, ...SWIFTSHADER_VULKAN_ENV }, maxBuffer: 16 << 20,
    });
    const r = JSON.parse(stdout.trim().split('\n').pop()!);
    console.log('--provider webgpu inversion, in-graph vs separate products after 3 steps:', r);
    expect(r.keys.some((k: string) => k.startsWith('unet_loss_b1_8x8_space'))).toBe(true);
    expect(r.moved).toBeGreaterThan(0);
    expect(r.coef).toBeLessThan(1e-5);
    expect(r.losses).toBeLessThan(1e-5);
  }, 600_000);

  it('without a Vulkan driver: a message that says what to do', async () => {
    const noDriver = { LD_LIBRARY_PATH: '', VK_ICD_FILENAMES: join(dir, 'none.json') };
    await expect(run(noDriver, 'eval', '--model', fixturePath(), '--provider', 'webgpu', '--inputs', inputs, '--out', join(dir, 'x.safetensors')))
      .rejects.toThrow(NO_ADAPTER.slice(0, 40));
  }, 120_000);
});
