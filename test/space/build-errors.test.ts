// build-space on bad input: LoRAs that disagree (shapes, targets), more components than the LoRAs span, a
// labels CSV that does not match them. Each is named, and nothing is written when the build cannot finish.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUNetConfig, type UNetConfig } from '../../src/engine/io/config';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { writeSafetensors } from '../../src/engine/io/safetensors';
import { loraLayout, type LoraLayout } from '../../src/engine/models/lora';
import { loraToTensors } from '../../src/engine/models/lora-files';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { labelsFromCsv } from '../../src/engine/space/labels-csv';
import { loadSpace } from '../../src/engine/space/load';
import { openWeightDimensions } from '../../src/engine/space/pt';
import { openPath } from '../../src/engine/io/source-node';
import { fixturePath } from '../helpers/fixture';
import { syntheticFlats, writeLoras } from './build-loras';
import { build } from './build-run';

describe('build-space on bad input', () => {
  let cfg: UNetConfig;
  let layout: LoraLayout;
  let dir: string;

  beforeAll(async () => {
    cfg = parseUNetConfig(await folderFromPath(fixturePath()).json('unet/config.json'));
    layout = loraLayout(cfg);
    dir = await mkdtemp(join(tmpdir(), 'w2w-build-bad-'));
    await writeLoras(join(dir, 'six'), layout, syntheticFlats(layout, 6, 3), ['kohya']);
  });

  it('LoRAs of another base model: the first mismatch named with both shapes, nothing written', async () => {
    // A UNet with wider text conditioning: attn2.to_v's A is [1, 48] where the others have [1, 32].
    const other = loraLayout({ ...cfg, crossAttentionDim: 48 });
    await writeLoras(join(dir, 'mixed'), layout, syntheticFlats(layout, 3, 4), ['kohya']);
    await writeFile(join(dir, 'mixed', 'lora_zz.safetensors'), writeSafetensors(loraToTensors(other, syntheticFlats(other, 1, 5)[0], 'kohya')));
    const out = join(dir, 'out-mixed');
    await expect(build('--loras', join(dir, 'mixed'), '--components', '2', '--out', out)).rejects.toThrow(
      'lora_zz does not match (the first LoRA, lora_000, sets the layout): LoRA tensor lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_v.lora_down.weight in ' +
        `${join(dir, 'mixed', 'lora_zz.safetensors')} has shape [1,48], the w2w layout needs [1,32]`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('LoRAs of other targets: the missing tensor named; against --model, the base named', async () => {
    const flat = syntheticFlats(layout, 1, 6)[0];
    const tensors = loraToTensors(layout, flat, 'kohya').filter((t) => !t.name.includes('mid_block'));
    await writeLoras(join(dir, 'targets'), layout, syntheticFlats(layout, 2, 7), ['kohya']);
    await writeFile(join(dir, 'targets', 'no_mid.safetensors'), writeSafetensors(tensors));
    await expect(build('--loras', join(dir, 'targets'), '--components', '1', '--out', join(dir, 'o2'), '--model', fixturePath())).rejects.toThrow(
      /^no_mid does not match \(the base UNet's layout\): missing LoRA tensor lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q\.lora_down\.weight/,
    );
    expect(existsSync(join(dir, 'o2'))).toBe(false);
  });

  it('more components than the LoRAs span: K reduced to N − 1 with a note, and the space loads', async () => {
    const out = join(dir, 'out-six');
    const printed = await build('--loras', join(dir, 'six'), '--components', '10', '--out', out);
    expect(printed).toContain('note: K = 10 reduced to 5: 6 LoRAs span at most 5 directions around their mean');
    expect(existsSync(join(out, 'proj_5pc.pt')) && existsSync(join(out, 'pinverse_5pc.pt'))).toBe(true);
    const space = await loadSpace(spaceFolderFromPath(out), { layout });
    expect([space.k, space.models, space.labelColumns.length]).toEqual([5, 6, 0]);
    // Layout read back from kohya keys: the PEFT keys of the UNet's own layout, in its order.
    const dims = await openWeightDimensions(await openPath(join(out, 'weight_dimensions.pt')));
    expect(dims.map((x) => x.key)).toEqual(layout.tensors.map((t) => t.key));
    // Without labels the cumulative explained variance of all N − 1 components is the whole: 100%.
    expect(printed).toMatch(/^\s+5\s+\S+\s+[\d.]+%\s+100\.00%$/m);
  });

  it('a labels CSV that does not match the LoRAs is named, nothing written', async () => {
    const csv = join(dir, 'five-rows.csv');
    await writeFile(csv, 'Male,Young\n1,0\n0,1\n1,1\n0,0\n1,0\n');
    const out = join(dir, 'out-csv');
    await expect(build('--loras', join(dir, 'six'), '--labels', csv, '--components', '2', '--out', out)).rejects.toThrow(
      `${csv} has 5 rows and there are 6 LoRAs: without a file column, rows are taken in the LoRAs' order (lora_000, …), one each`,
    );
    expect(existsSync(out)).toBe(false);
    const names = ['a', 'sub/b', 'c'];
    expect(() => labelsFromCsv('file,Male\na,1\nsub/b,0\nd.safetensors,1\n', names)).toThrow('the labels CSV row 4 is for "d.safetensors", which is not among the LoRAs');
    expect(() => labelsFromCsv('file,Male\na,1\nb.safetensors,0\n', names)).toThrow('the labels CSV has no row for 1 LoRA: c');
    expect(() => labelsFromCsv('file,Male\na,1\nb,0\nc,0\na.safetensors,1\n', names)).toThrow('the labels CSV rows 2 and 5 are both for a');
    expect(() => labelsFromCsv('Male,Young\n1,0\n1,yes\n0,0\n', names)).toThrow('the labels CSV row 3, column Young: "yes" is not a number');
    const ok = labelsFromCsv('Young,file\n-1,"c"\n1,sub/b\n-1,a\n', names);
    expect([ok.dtype, ...ok.columns, ...ok.values]).toEqual(['int64', 'Young', -1, 1, -1]);
  });
});
