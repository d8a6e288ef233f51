// The ops check's reference, computed here with onnxruntime-node (CPU) from the same graph the page
// builds: weights, input and expected outputs in one safetensors file, served under OPS_REPO.
import { writeSafetensors, type TensorToWrite } from '../src/engine/io/safetensors';
import { createNodeSession } from '../src/engine/runtime/node';
import { f32 } from '../src/engine/runtime/tensor';
import { buildOpsGraph, OPS_INPUT, OPS_OUTPUTS, OPS_REPO, OPS_WEIGHTS, opsFixtureInputs, opsKey } from '../src/conformance/ops-graph';

export const OPS_REFERENCE_PATH = `/${OPS_REPO}/resolve/main/reference.safetensors`;

export async function opsReference(): Promise<Uint8Array> {
  const { weights, input } = opsFixtureInputs();
  const session = await createNodeSession(buildOpsGraph(async (name) => weights[name]));
  try {
    const out = await session.run({ [OPS_INPUT.name]: f32(OPS_INPUT.shape, input) });
    const tensors: Record<string, TensorToWrite> = {
      [opsKey.input]: { dtype: 'F32', shape: OPS_INPUT.shape, data: input },
    };
    for (const [name, shape] of Object.entries(OPS_WEIGHTS)) tensors[opsKey.weight(name)] = { dtype: 'F32', shape, data: weights[name] };
    for (const name of OPS_OUTPUTS) {
      const t = out[name];
      tensors[opsKey.output(name)] = { dtype: 'F32', shape: t.shape, data: t.data as Float32Array };
    }
    return writeSafetensors(tensors);
  } finally {
    await session.release();
  }
}
