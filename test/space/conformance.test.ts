// The space keys of ../shared/fixtures/tiny-sd-a/reference.safetensors through the CLI's eval path
// (`eval --space … --debias Young~Male`), on onnxruntime-node.
import { beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../src/cli/node-model';
import { evalSpace } from '../../src/cli/space-eval';
import type { SafetensorsFile, TensorToWrite } from '../../src/engine/io/safetensors';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture, relErr } from '../helpers/fixture';

/** Every space.* key the reference holds, with its tolerance; space.coef is the input. */
const TOLERANCE: Record<string, number> = {
  'space.theta': 1e-4,
  'space.theta_back': 1e-4,
  'space.coef_loss': 1e-4,
  'space.coef_grad': 1e-3,
  'space.direction.Male': 1e-4,
  'space.direction.Young': 1e-4,
  'space.direction.Young~Male': 1e-4,
};

describe('tiny-sd-a space conformance', () => {
  let ref: SafetensorsFile;
  let sd: StableDiffusion;
  let out: Record<string, TensorToWrite>;

  beforeAll(async () => {
    ref = await openFixture('reference.safetensors');
    sd = await openModel(fixturePath());
    out = await evalSpace(sd, ref, fixturePath('w2w-space'), ['Young~Male']);
    await sd.release();
  }, 300_000);

  it('covers every space.* key of the reference (the rest is test/conformance/tiny-sd-a.test.ts)', () => {
    const keys = ref.keys().filter((k) => k.startsWith('space.') && k !== 'space.coef');
    expect(keys.sort()).toEqual(Object.keys(TOLERANCE).sort());
    // Nothing falls between the two tests: every other key is one the engine test enumerates.
    expect(ref.keys().filter((k) => !/^(space|unet|vae|clip|lora|pipe)\./.test(k))).toEqual([]);
    for (const k of keys) expect(out, k).toHaveProperty([k]);
  });

  for (const [key, tol] of Object.entries(TOLERANCE)) {
    it(`${key} within ${tol}`, async () => {
      expect(out[key].shape).toEqual([...ref.info(key).shape]);
      const err = relErr(out[key].data as Float32Array, await ref.readFloat32(key));
      console.log(`${key}: relative error ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(tol);
    });
  }

  it('writes a direction for every label column of identity_df.pt', () => {
    const dirs = Object.keys(out).filter((k) => k.startsWith('space.direction.') && !k.includes('~'));
    expect(dirs.length).toBe(40);
    expect(dirs).toContain('space.direction.Eyeglasses');
  });
});
