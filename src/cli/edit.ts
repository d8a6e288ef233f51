// `edit`: moves an identity along attribute directions (label columns or debias chains `A~B`), by raw α
// (`--alpha A=1e5`) or calibrated slider units (`--slider A=0.5`), composed in the order given.
import type { Edit } from '../engine/space/space';
import { parseFlags, str } from './args';
import { layoutOf, openSpace, readIdentity, SPACE_FLAGS, writeIdentity } from './space-common';

function parseEdit(kind: 'alpha' | 'slider', spec: string): Edit {
  const i = spec.lastIndexOf('=');
  const value = Number(spec.slice(i + 1));
  if (i <= 0 || !Number.isFinite(value)) throw new Error(`--${kind} takes ATTRIBUTE=NUMBER (e.g. Male=0.5 or Young~Male=0.5), got ${spec}`);
  return { direction: spec.slice(0, i), [kind]: value };
}

export async function editCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, { known: [...SPACE_FLAGS, 'in', 'alpha', 'slider'], repeat: ['format', 'alpha', 'slider'], boolean: ['fp16'] });
  // Edits apply in command-line order, whichever flag carries them.
  const edits: Edit[] = [];
  for (let i = 0; i < argv.length; i++)
    if (argv[i] === '--alpha' || argv[i] === '--slider') edits.push(parseEdit(argv[i].slice(2) as 'alpha' | 'slider', argv[++i]));
  if (!edits.length) throw new Error('give at least one --alpha ATTR=α or --slider ATTR=s');
  const layout = await layoutOf(str(f, 'model'));
  const space = await openSpace(str(f, 'space'), layout, f);
  const input = await readIdentity(space, layout, str(f, 'in'));
  for (const e of edits) {
    const cal = space.calibration(e.direction);
    console.log(`${e.direction}: α = ${space.alphaOf(e).toPrecision(6)} (slider unit ${cal.unit.toPrecision(6)})`);
  }
  const paths = await writeIdentity(space, layout, space.edit(input.coef, edits), f);
  console.log(`wrote ${paths.join(' ')}`);
}
