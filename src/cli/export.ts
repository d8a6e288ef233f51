// `export`: an identity (w2w .pt or any LoRA file) rewritten in other formats.
import { parseFlags, str } from './args';
import { layoutOf, openSpace, readIdentity, SPACE_FLAGS, SPACE_SPEC, writeIdentity } from './space-common';

export async function exportCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, { known: [...SPACE_FLAGS, 'in'], ...SPACE_SPEC });
  const layout = await layoutOf(str(f, 'model'));
  const space = await openSpace(str(f, 'space'), layout, f);
  const { coef } = await readIdentity(space, layout, str(f, 'in'));
  console.log(`wrote ${(await writeIdentity(space, layout, coef, f)).join(' ')}`);
}
