// The op-level check: the shared small graph, its weights and expected outputs read from OPS_REPO.
import { f32 } from '../engine/runtime/tensor';
import type { Check } from './check';
import { buildOpsGraph, OPS_INPUT, OPS_OUTPUTS, OPS_REPO, opsKey } from './ops-graph';

export const opsCheck: Check = {
  name: 'ops',
  async run(ctx) {
    const ref = await ctx.safetensors('reference.safetensors', OPS_REPO);
    const session = await ctx.session(buildOpsGraph((name) => ref.readFloat32(opsKey.weight(name))));
    const out = await session.run({ [OPS_INPUT.name]: f32(OPS_INPUT.shape, await ref.readFloat32(opsKey.input)) });
    return Promise.all(
      OPS_OUTPUTS.map(async (name) => ({
        key: opsKey.output(name),
        actual: out[name].data as Float32Array,
        expected: await ref.readFloat32(opsKey.output(name)),
        tol: 1e-4,
      })),
    );
  },
};
