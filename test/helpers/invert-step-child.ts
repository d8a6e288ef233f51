// Run as a child process (the Vulkan loader path must be set before it starts): a few inversion steps on the
// fixture with `--provider webgpu`, with θ and ∂L/∂c inside the gradient graph and with the separate products,
// on one runtime; prints how far apart they end as one JSON line.
import { readFile } from 'node:fs/promises';
import { openModel } from '../../src/cli/node-model';
import { decodeImageNode } from '../../src/cli/png';
import { intake, invert, resolveSettings, separateProducts } from '../../src/engine/invert/index';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import { fixturePath, relErr } from './fixture';

const sd = await openModel(fixturePath(), 'fp32', undefined, 'fast', 'webgpu');
try {
  const space = await loadSpace(spaceFolderFromPath(fixturePath('w2w-space')), { layout: sd.lora });
  await space.useRuntime(sd.runtime);
  const file = async (n: string) => ({ name: n, bytes: await readFile(fixturePath(n)) });
  const inputs = await intake(await file('inversion-photo.png'), await file('inversion-mask.png'), decodeImageNode, sd, { size: 64 });
  const { settings } = resolveSettings('photo', { steps: 3, components: space.k, lr: 0.02, seed: 2 }, space.k);
  const separate = separateProducts(space);
  const a = await invert(sd, separate, inputs, settings);
  const b = await invert(sd, space, inputs, settings);
  console.log(JSON.stringify({
    coef: relErr(b.coef, a.coef), losses: relErr(new Float32Array(b.losses), new Float32Array(a.losses)),
    moved: Math.max(...Array.from(b.coef, Math.abs)), keys: sd.sessionKeys,
  }));
  await space.detachProjector();
} finally {
  await sd.release();
}
