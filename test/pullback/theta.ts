// The fixture's space (w2w-space/*.pt, all 48 components) and θ for pullback.coef through it.
import type { SafetensorsFile } from '../../src/engine/io/safetensors';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import type { Space } from '../../src/engine/space/space';
import { fixturePath } from '../helpers/fixture';

export const fixtureSpace = (): Promise<Space> => loadSpace(spaceFolderFromPath(fixturePath('w2w-space')), { k: 48 });

export async function fixtureTheta(pb: SafetensorsFile, space: Space): Promise<Float32Array> {
  return space.theta(await pb.readFloat32('pullback.coef'));
}
