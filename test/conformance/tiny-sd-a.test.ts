// Conformance against ../shared/fixtures/tiny-sd-a, through the same `eval` code path the CLI runs, on
// onnxruntime-node: every engine key of reference.safetensors within the fixture's tolerance (1e-4 for
// single components, 1e-3 for gradients and the pipelines), plus the LoRA gradient at the space's weights
// against finite differences.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SafetensorsFile, TensorToWrite } from '../../src/engine/io/safetensors';
import { evalComponents } from '../../src/cli/eval';
import { openModel } from '../../src/cli/node-model';
import type { HostTensor } from '../../src/engine/runtime/tensor';
import { Rng } from '../../src/engine/sd/random';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';

/** Every float output key and its tolerance (relErr: max |ours − expected| / max |expected|). */
const TOLERANCE: Record<string, number> = {
  'unet.eps': 1e-4,
  'unet.eps_lora': 1e-4,
  'lora.loss': 1e-4,
  'lora.grad_flat': 1e-3,
  'vae.latent_mean': 1e-4,
  'vae.latent_logvar': 1e-4,
  'vae.decoded': 1e-4,
  'clip.last_hidden_state': 1e-4,
  'clip.uncond_last_hidden_state': 1e-4,
  'pipe.pndm.latents': 1e-3,
  'pipe.pndm.image': 1e-3,
  'pipe.ddim.latents': 1e-3,
  'pipe.ddim.image': 1e-3,
};
const EXACT = ['pipe.pndm.timesteps', 'pipe.ddim.timesteps'];

describe('tiny-sd-a conformance (fp32, onnxruntime-node)', () => {
  let ref: SafetensorsFile;
  let out: Record<string, TensorToWrite>;
  let sd: StableDiffusion;
  let meta: { prompts: string[]; pipeline: { steps: number; guidance_scale: number; prompt_index: number; negative_prompt: string } };
  const inputs: Record<string, HostTensor> = {};

  beforeAll(async () => {
    ref = await openFixture('reference.safetensors');
    meta = JSON.parse(await readFile(fixturePath('reference.json'), 'utf8'));
    sd = await openModel(fixturePath());
    for (const k of ['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states', 'lora.target', 'lora.mask', 'space.theta'])
      inputs[k] = await tensor(ref, k);
    out = await evalComponents(sd, ref, {
      prompts: meta.prompts,
      pipePrompt: meta.prompts[meta.pipeline.prompt_index],
      negative: meta.pipeline.negative_prompt,
      steps: meta.pipeline.steps,
      guidance: meta.pipeline.guidance_scale,
    });
  }, 600_000);

  it('eval writes every engine key of the reference', () => {
    const keys = ref.keys().filter((k) => /^(unet|vae|clip|lora|pipe)\./.test(k) && !/^(unet\.(sample|timestep|encoder)|lora\.(flat|target|mask)|pipe\.noise|vae\.(image|latent_in)|clip\.(ids|uncond_ids))/.test(k));
    expect(keys.sort()).toEqual([...Object.keys(TOLERANCE), ...EXACT].sort());
    for (const k of keys) expect(out, k).toHaveProperty([k]);
  });

  for (const [key, tol] of Object.entries(TOLERANCE)) {
    it(`${key} within ${tol}`, async () => {
      const expected = await ref.readFloat32(key);
      const err = relErr(out[key].data as Float32Array, expected);
      console.log(`${key}: relErr ${err.toExponential(2)}`);
      expect(out[key].shape).toEqual(ref.info(key).shape);
      expect(expected.every(Number.isFinite)).toBe(true);
      expect(err).toBeLessThanOrEqual(tol);
    });
  }

  for (const key of EXACT) {
    it(`${key} exact`, async () => {
      expect(Array.from(out[key].data as BigInt64Array)).toEqual(Array.from(await ref.readInt64(key)));
    });
  }

  it('the tokenizer reproduces clip.ids for the prompts', async () => {
    expect(Array.from(out['clip.prompt_ids'].data as BigInt64Array)).toEqual(Array.from(await ref.readInt64('clip.ids')));
  });

  it('space.coef_loss: the masked loss with the LoRA of space.theta within 1e-4', async () => {
    const { sample, timestep, text, target, mask } = lossInputs();
    const { loss } = await sd.unetLossGrad(sample, timestep, text, target, mask, inputs['space.theta'].data as Float32Array);
    expect(relErr([loss], await ref.readFloat32('space.coef_loss'))).toBeLessThanOrEqual(1e-4);
  });

  it('d loss / d lora at space.theta matches central differences along random directions', async () => {
    const { sample, timestep, text, target, mask } = lossInputs();
    const theta = inputs['space.theta'].data as Float32Array;
    const { grad } = await sd.unetLossGrad(sample, timestep, text, target, mask, theta);
    const rng = new Rng(7);
    for (let k = 0; k < 3; k++) {
      const dir = rng.normals(theta.length);
      const h = 5e-3 / Math.hypot(...dir); // smaller: float32 noise in the loss; larger: far from polynomial
      const at = async (s: number) =>
        (await sd.unetLossGrad(sample, timestep, text, target, mask, theta.map((v, i) => v + s * h * dir[i]))).loss;
      // Fourth-order central difference: the second-order one's truncation error alone is ~1e-2 here.
      const fd = (8 * ((await at(1)) - (await at(-1))) - ((await at(2)) - (await at(-2)))) / 12;
      const analytic = h * grad.reduce((a, g, i) => a + g * dir[i], 0);
      console.log(`directional derivative: finite differences ${fd / h}, gradient ${analytic / h}`);
      expect(Math.abs(fd - analytic) / Math.abs(analytic)).toBeLessThan(1e-2);
    }
  });

    function lossInputs() {
    return {
      sample: inputs['unet.sample'], timestep: inputs['unet.timestep'], text: inputs['unet.encoder_hidden_states'],
      target: inputs['lora.target'], mask: inputs['lora.mask'],
    };
  }
});
