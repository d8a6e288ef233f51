// The w2w space's V_k products on the page's provider (the projector the engine worker attaches on WebGPU):
// θ = (c V_kᵀ) ⊙ std + mean and back against the fixture's reference, ∂L/∂c against the plain loops.
import { Rng } from '../engine/sd/random';
import { spaceFolderFromUrl } from '../engine/space/files';
import { loadSpace } from '../engine/space/load';
import type { Check } from './check';

export const spaceCheck: Check = {
  name: 'space',
  async run(ctx) {
    const ref = await ctx.safetensors('reference.safetensors');
    const space = await loadSpace(spaceFolderFromUrl(`${ctx.url()}/w2w-space`));
    await space.useRuntime({ createSession: (g) => ctx.session(g) });
    const coef = await ref.readFloat32('space.coef');
    const theta = await space.thetaAsync(coef);
    const back = await space.coefAsync(theta);
    const g = new Rng(3).normals(space.size);
    return [
      { key: 'space.theta', actual: theta, expected: await ref.readFloat32('space.theta'), tol: 1e-4 },
      { key: 'space.theta_back', actual: back, expected: await ref.readFloat32('space.theta_back'), tol: 1e-4 },
      { key: 'space.grad_coef (runtime vs loops)', actual: await space.gradCoefAsync(g), expected: space.gradCoef(g), tol: 1e-5 },
    ];
  },
};
