// `sample`: a new identity from the space, N(μ_i, (f σ_i)²) per PC, written in the chosen formats.
import { num, parseFlags, str } from './args';
import { layoutOf, openSpace, SPACE_FLAGS, SPACE_SPEC, writeIdentity } from './space-common';

export async function sampleCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, { known: [...SPACE_FLAGS, 'seed', 'diversity'], ...SPACE_SPEC });
  const layout = await layoutOf(str(f, 'model'));
  const space = await openSpace(str(f, 'space'), layout, f);
  const seed = num(f, 'seed', 0);
  const diversity = num(f, 'diversity', 1);
  const coef = space.sample(seed, diversity);
  const paths = await writeIdentity(space, layout, coef, f);
  const [near] = space.nearest(coef, 1);
  console.log(`sampled seed ${seed}, diversity ${diversity}, k ${space.k}; nearest training identity ${near.file} (cosine ${near.cosine.toFixed(3)})`);
  console.log(`wrote ${paths.join(' ')}`);
}
