// Conformance against ../shared/fixtures/tiny-sd-a: every engine-scope key of reference.safetensors,
// produced by the same `eval` code path the CLI runs, on onnxruntime-node.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SafetensorsFile, TensorToWrite } from '../../src/engine/io/safetensors';
import { evalComponents } from '../../src/cli/eval';
import { openModel } from '../../src/cli/node-model';
import { fixturePath, openFixture, relErr } from '../helpers/fixture';

/** Reference keys that are engine outputs (inputs and other issues' keys excluded), with tolerances. */
const TOL: Record<string, number> = {
  'unet.eps': 1e-4,
  'unet.eps_lora': 1e-4,
  'vae.latent_mean': 1e-4,
  'vae.latent_logvar': 1e-4,
  'vae.decoded': 1e-4,
  'clip.last_hidden_state': 1e-4,
  'clip.uncond_last_hidden_state': 1e-4,
  'lora.loss': 1e-3,
  'lora.grad_flat': 1e-3,
  'pipe.pndm.latents': 1e-3,
  'pipe.pndm.image': 1e-3,
  'pipe.ddim.latents': 1e-3,
  'pipe.ddim.image': 1e-3,
};
const EXACT = ['pipe.pndm.timesteps', 'pipe.ddim.timesteps'];

describe('tiny-sd-a conformance (fp32, onnxruntime-node)', () => {
  let ref: SafetensorsFile;
  let out: Record<string, TensorToWrite>;

  beforeAll(async () => {
    ref = await openFixture('reference.safetensors');
    const meta = JSON.parse(await readFile(fixturePath('reference.json'), 'utf8'));
    const sd = await openModel(fixturePath());
    try {
      out = await evalComponents(sd, ref, {
        prompts: meta.prompts,
        pipePrompt: meta.prompts[meta.pipeline.prompt_index],
        negative: meta.pipeline.negative_prompt,
        steps: meta.pipeline.steps,
        guidance: meta.pipeline.guidance_scale,
      });
    } finally {
      await sd.release();
    }
  }, 600_000);

  it('covers every engine key of the reference', () => {
    const engineKeys = ref.keys().filter((k) => /^(unet|vae|clip|lora|pipe)\./.test(k) && (k in TOL || EXACT.includes(k)));
    expect(engineKeys.length).toBe(Object.keys(TOL).length + EXACT.length);
    for (const k of engineKeys) expect(out, k).toHaveProperty([k]);
  });

  for (const [key, tol] of Object.entries(TOL)) {
    it(`${key} within ${tol}`, async () => {
      const expected = await ref.readFloat32(key);
      expect(out[key].shape).toEqual(ref.info(key).shape);
      const err = relErr(out[key].data as Float32Array, expected);
      expect(err).toBeLessThanOrEqual(tol);
    });
  }

  for (const key of EXACT) {
    it(`${key} exact`, async () => {
      expect(Array.from(out[key].data as BigInt64Array)).toEqual(Array.from(await ref.readInt64(key)));
    });
  }

  it('clip ids: the tokenizer reproduces clip.ids for the prompts', async () => {
    expect(Array.from(out['clip.prompt_ids'].data as BigInt64Array)).toEqual(Array.from(await ref.readInt64('clip.ids')));
  });
});
