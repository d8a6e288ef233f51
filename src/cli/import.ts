// `import`: any rank-1 to_q/to_v LoRA (PEFT, w2w, diffusers or kohya keys) or w2w .pt, projected into the
// space; prints the relative residual the projection loses and writes the coefficients (w2wmodel.pt).
import { describeStrength } from '../engine/models/lora-files';
import { parseFlags, str } from './args';
import { layoutOf, openSpace, readIdentity, SPACE_FLAGS, SPACE_SPEC, writeIdentity } from './space-common';

export async function importCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, { known: [...SPACE_FLAGS, 'in'], ...SPACE_SPEC });
  const layout = await layoutOf(str(f, 'model'));
  const space = await openSpace(str(f, 'space'), layout, f);
  const imported = await readIdentity(space, layout, str(f, 'in'));
  const [near] = space.nearest(imported.coef, 1);
  if (imported.strength) console.log(`LoRA strength (alpha / rank) ${describeStrength(imported.strength)}`);
  console.log(`projected onto ${space.k} components: relative residual ‖θ − θ̂‖/‖θ‖ = ${imported.residual.toExponential(3)}; nearest training identity ${near.file} (cosine ${near.cosine.toFixed(3)})`);
  console.log(`wrote ${(await writeIdentity(space, layout, imported.coef, f)).join(' ')}`);
}
