// Conformance against ../shared/fixtures/tiny-sd-a, through the same `eval` code path the CLI runs, on
// onnxruntime-node. Where the reference is a valid float32 target the check is strict. Two defects of the
// fixture are asserted as such (so the test notices when the fixture is fixed):
//  - unet.eps is NaN for batch element 1 (t = 401): only the finite elements can be compared;
//  - lora.flat (|v| up to 1.35, applied ×27) saturates attention so hard that a 1e-7 relative change of the
//    vector moves eps_lora, the loss gradient and the 6-step pipelines by far more than the tolerance; no
//    float32 implementation reproduces those keys. The LoRA path is checked instead with the space's
//    well-conditioned weights (space.theta → space.coef_loss, gradient against finite differences).
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SafetensorsFile, TensorToWrite } from '../../src/engine/io/safetensors';
import { evalComponents } from '../../src/cli/eval';
import { openModel } from '../../src/cli/node-model';
import type { HostTensor } from '../../src/engine/runtime/tensor';
import { generate } from '../../src/engine/sd/pipeline';
import { Rng } from '../../src/engine/sd/random';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';

const STRICT: Record<string, number> = {
  'vae.latent_mean': 1e-4,
  'vae.latent_logvar': 1e-4,
  'vae.decoded': 1e-4,
  'clip.last_hidden_state': 1e-4,
  'clip.uncond_last_hidden_state': 1e-4,
};
const EXACT = ['pipe.pndm.timesteps', 'pipe.ddim.timesteps'];
/** Keys produced with lora.flat, and their tolerance if the reference were well-conditioned. */
const ILL_CONDITIONED: Record<string, number> = {
  'unet.eps_lora': 1e-4,
  'lora.grad_flat': 1e-3,
  'pipe.pndm.latents': 1e-3,
  'pipe.pndm.image': 1e-3,
  'pipe.ddim.latents': 1e-3,
  'pipe.ddim.image': 1e-3,
};

const finite = (a: Float32Array, b: Float32Array) => {
  const keep = [...b.keys()].filter((i) => Number.isFinite(b[i]));
  return [keep.map((i) => a[i]), keep.map((i) => b[i])] as const;
};

/** Multiplies every 7th entry by (1 + 1e-7): about one float32 rounding step. */
const nudge = (v: Float32Array) => v.map((x, i) => (i % 7 === 0 ? x * (1 + 1e-7) : x));

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
    for (const k of ['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states', 'lora.target', 'lora.mask', 'lora.flat', 'space.theta', 'pipe.noise'])
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
    expect(keys.sort()).toEqual([...Object.keys(STRICT), ...EXACT, ...Object.keys(ILL_CONDITIONED), 'unet.eps', 'lora.loss'].sort());
    for (const k of keys) expect(out, k).toHaveProperty([k]);
  });

  for (const [key, tol] of Object.entries(STRICT)) {
    it(`${key} within ${tol}`, async () => {
      expect(out[key].shape).toEqual(ref.info(key).shape);
      expect(relErr(out[key].data as Float32Array, await ref.readFloat32(key))).toBeLessThanOrEqual(tol);
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

  it('unet.eps within 1e-4 on its finite elements (the reference is NaN for batch element 1)', async () => {
    const expected = await ref.readFloat32('unet.eps');
    const ours = out['unet.eps'].data as Float32Array;
    const half = expected.length / 2;
    expect(expected.subarray(half).every(Number.isNaN)).toBe(true);
    expect(expected.subarray(0, half).every(Number.isFinite)).toBe(true);
    expect(ours.every(Number.isFinite)).toBe(true);
    expect(relErr(...finite(ours, expected))).toBeLessThanOrEqual(1e-4);
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

  it('eps_lora: the LoRA is applied (much closer to the reference than the base model is)', async () => {
    const expected = await ref.readFloat32('unet.eps_lora');
    const withLora = relErr(out['unet.eps_lora'].data as Float32Array, expected);
    const base = relErr(...finite(out['unet.eps'].data as Float32Array, expected));
    expect(withLora).toBeLessThan(base / 5);
  });

  it('lora.flat is ill-conditioned: a 1e-7 nudge moves every lora.flat-based key past its tolerance', async () => {
    const { sample, timestep, text, target, mask } = lossInputs();
    const flat = inputs['lora.flat'].data as Float32Array;
    const moved: Record<string, number> = {};
    const eps = (l: Float32Array) => sd.unet(sample, timestep, text, l).then((t) => t.data as Float32Array);
    moved['unet.eps_lora'] = relErr(await eps(nudge(flat)), await eps(flat));
    const grad = (l: Float32Array) => sd.unetLossGrad(sample, timestep, text, target, mask, l).then((r) => r.grad);
    moved['lora.grad_flat'] = relErr(await grad(nudge(flat)), await grad(flat));
    for (const scheduler of ['pndm', 'ddim'] as const) {
      const run = (l: Float32Array) =>
        generate(sd, {
          prompt: meta.prompts[meta.pipeline.prompt_index], negative: meta.pipeline.negative_prompt, steps: meta.pipeline.steps,
          guidance: meta.pipeline.guidance_scale, scheduler, lora: l, noise: inputs['pipe.noise'].data as Float32Array, height: 64, width: 64,
        });
      const [a, b] = [await run(flat), await run(nudge(flat))];
      moved[`pipe.${scheduler}.latents`] = relErr(b.latents.data as Float32Array, a.latents.data as Float32Array);
      moved[`pipe.${scheduler}.image`] = relErr(b.image.data as Float32Array, a.image.data as Float32Array);
    }
    console.log('relative change from a 1e-7 nudge of lora.flat:', moved);
    for (const [key, tol] of Object.entries(ILL_CONDITIONED)) expect(moved[key], key).toBeGreaterThan(tol);
  }, 300_000);

  function lossInputs() {
    return {
      sample: inputs['unet.sample'], timestep: inputs['unet.timestep'], text: inputs['unet.encoder_hidden_states'],
      target: inputs['lora.target'], mask: inputs['lora.mask'],
    };
  }
});
