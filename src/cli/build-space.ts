// `build-space`: a w2w space (the official file set) from a folder or list of LoRAs, with labels from a CSV;
// progress with ETA on stderr, the explained variance per component on stdout. Nothing is written unless
// every LoRA and the CSV check out.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { openPath } from '../engine/io/source-node';
import { buildSpace, type BuildProgress, type LoraInput } from '../engine/space/build';
import { checkDistinctNames, loraName } from '../engine/space/build-inputs';
import { labelsFromCsv } from '../engine/space/labels-csv';
import { list, num, parseFlags, str } from './args';
import { adapterConfigBeside } from './lora-file';
import { layoutOf } from './space-common';

async function safetensorsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.safetensors')) out.push(join(e.parentPath, e.name));
  return out.sort();
}

export async function loraInputs(args: readonly string[]): Promise<LoraInput[]> {
  const out: LoraInput[] = [];
  for (const arg of args) {
    const dir = (await stat(arg)).isDirectory();
    const paths = dir ? await safetensorsUnder(arg) : [arg];
    if (dir && !paths.length) throw new Error(`${arg} holds no .safetensors files`);
    for (const path of paths) out.push({ name: loraName(dir ? relative(arg, path) : basename(path)), open: () => openPath(path), config: await adapterConfigBeside(path) });
  }
  checkDistinctNames(out);
  return out;
}

const clock = (s: number | undefined) =>
  s === undefined || !Number.isFinite(s) ? '?' : s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`;

export async function buildSpaceCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, {
    known: ['loras', 'labels', 'components', 'out', 'model', 'power-iterations', 'oversample', 'seed'],
    repeat: ['loras'],
  });
  const loras = await loraInputs(list(f, 'loras').length ? list(f, 'loras') : [str(f, 'loras')]);
  const labelsPath = typeof f.labels === 'string' ? f.labels : undefined;
  const labels = labelsPath ? labelsFromCsv(await readFile(labelsPath, 'utf8'), loras.map((l) => l.name), labelsPath) : undefined;
  const out = str(f, 'out');
  console.log(`${loras.length} LoRAs${labels ? `, ${labels.columns.length} label columns from ${labelsPath}` : ', no labels'}`);
  let shown = '';
  const progress = (p: BuildProgress) => {
    const line = `\rpass ${p.pass}/${p.passes} (${p.phase}): ${p.done}/${p.rows} LoRAs, ${Math.floor(100 * p.fraction)}% done, ETA ${clock(p.etaSeconds)}   `;
    if (line !== shown) process.stderr.write((shown = line));
  };
  const built = await buildSpace(loras, {
    components: num(f, 'components'),
    layout: typeof f.model === 'string' ? await layoutOf(f.model) : undefined,
    labels,
    powerIterations: f['power-iterations'] === undefined ? undefined : num(f, 'power-iterations'),
    oversample: f.oversample === undefined ? undefined : num(f, 'oversample'),
    seed: num(f, 'seed', 0),
    onProgress: progress,
  });
  if (shown) process.stderr.write('\n');
  for (const note of built.notes) console.log(`note: ${note}`);
  console.log(`D = ${built.layout.size} parameters (${built.layout.modules.size} modules, rank ${built.layout.tensors[0].shape[0]}), K = ${built.components}`);
  console.log('component  singular value  explained  cumulative');
  let cumulative = 0;
  built.explained.forEach((e, i) => {
    cumulative += e;
    console.log(`${String(i + 1).padStart(9)}  ${built.singularValues[i].toPrecision(8).padStart(14)}  ${(100 * e).toFixed(2).padStart(8)}%  ${(100 * cumulative).toFixed(2).padStart(9)}%`);
  });
  await mkdir(out, { recursive: true });
  for (const file of built.files) await writeFile(join(out, file.name), file.bytes);
  console.log(`wrote ${built.files.map((x) => join(out, x.name)).join(' ')}`);
}
