// θ for pullback.coef. Until the space loader lands: pullback.coef is reference.safetensors' space.coef
// (asserted), whose θ the fixture gives as space.theta.
import type { SafetensorsFile } from '../../src/engine/io/safetensors';
import { openFixture } from '../helpers/fixture';

export async function fixtureTheta(pb: SafetensorsFile): Promise<Float32Array> {
  const ref = await openFixture('reference.safetensors');
  const [a, b] = [await pb.readFloat32('pullback.coef'), await ref.readFloat32('space.coef')];
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) throw new Error('pullback.coef differs from space.coef');
  return ref.readFloat32('space.theta');
}
