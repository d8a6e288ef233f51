// Expected values for the page's gradient check, computed with onnxruntime-node by the same engine code.
import { folderFromPath } from '../src/engine/io/model-folder-node';
import { openSafetensors, writeSafetensors } from '../src/engine/io/safetensors';
import { openPath } from '../src/engine/io/source-node';
import { createNodeSession } from '../src/engine/runtime/node';
import { StableDiffusion } from '../src/engine/sd/stable-diffusion';
import { GRAD_KEYS, MODEL_REPO, unetInputs } from '../src/conformance/model-checks';

export const MODEL_REFERENCE_PATH = `/${MODEL_REPO}/resolve/main/reference.safetensors`;

export async function modelReference(fixtureDir: string): Promise<Uint8Array> {
  const sd = await StableDiffusion.load(folderFromPath(fixtureDir), { createSession: (g) => createNodeSession(g) });
  try {
    const i = await unetInputs(await openSafetensors(await openPath(`${fixtureDir}/reference.safetensors`)));
    const { loss, grad } = await sd.unetLossGrad(i.sample, i.timestep, i.text, i.target, i.mask, i.theta);
    return writeSafetensors({
      [GRAD_KEYS.loss]: { dtype: 'F32', shape: [1], data: Float32Array.of(loss) },
      [GRAD_KEYS.grad]: { dtype: 'F32', shape: [grad.length], data: grad },
    });
  } finally {
    await sd.release();
  }
}
