// build-space beyond the w2w layout and its run: LoRAs of another rank and targets bind their own layout
// (no base model given), progress reports phases, fraction and ETA, and an AbortSignal stops the build.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loraInputs } from '../../src/cli/build-space';
import { parseUNetConfig } from '../../src/engine/io/config';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { openPath } from '../../src/engine/io/source-node';
import { layoutOf, loraLayout, type LoraLayout } from '../../src/engine/models/lora';
import { buildSpace, type BuildProgress } from '../../src/engine/space/build';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import { openWeightDimensions } from '../../src/engine/space/pt';
import { fixturePath } from '../helpers/fixture';
import { syntheticFlats, writeLoras } from './build-loras';
import { build } from './build-run';

describe('build-space layouts and runs', () => {
  let layout: LoraLayout;
  let dir: string;

  beforeAll(async () => {
    layout = loraLayout(parseUNetConfig(await folderFromPath(fixturePath()).json('unet/config.json')));
    dir = await mkdtemp(join(tmpdir(), 'w2w-build-runs-'));
    await writeLoras(join(dir, 'six'), layout, syntheticFlats(layout, 6, 3), ['kohya']);
  });

  it('reports progress with an ETA and stops at the next block when cancelled', async () => {
    const loras = await loraInputs([join(dir, 'six')]);
    const seen: BuildProgress[] = [];
    await buildSpace(loras, { components: 2, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.pass)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(seen.map((p) => p.phase).slice(0, 3)).toEqual(['statistics', 'range', 'power iteration 1/4']);
    expect(seen.every((p, i) => p.fraction > (seen[i - 1]?.fraction ?? 0) && p.etaSeconds! >= 0)).toBe(true);
    expect(seen.at(-1)!.fraction).toBe(1);
    const stop = new AbortController();
    const passes: number[] = [];
    const cancelled = buildSpace(loras, { components: 2, signal: stop.signal, blockBytes: 1, onProgress: (p) => (passes.push(p.pass), p.pass === 2 && stop.abort()) });
    await expect(cancelled).rejects.toThrow(/abort/i);
    expect(Math.max(...passes)).toBe(2);
  });

  it('LoRAs of rank 2 and other targets, without a base model: their own layout, with a note', async () => {
    // Rank 2 on attn1.to_q only: A [2, in], B [out, 2].
    const specs = layout.tensors
      .filter((t) => t.module.endsWith('attn1.to_q'))
      .map((t) => ({ module: t.module, part: t.part, shape: (t.part === 'A' ? [2, t.shape[1]] : [t.shape[0], 2]) as [number, number] }));
    const rank2 = layoutOf(specs);
    await writeLoras(join(dir, 'rank2'), rank2, syntheticFlats(rank2, 5, 8, 3), ['kohya']);
    const out = join(dir, 'out-rank2');
    const printed = await build('--loras', join(dir, 'rank2'), '--components', '3', '--out', out);
    expect(printed).toContain(`D = ${rank2.size} parameters (16 modules, rank 2), K = 3`);
    expect(printed).toContain('note: rank 2: the app applies rank-1 spaces only');
    const dims = await openWeightDimensions(await openPath(join(out, 'weight_dimensions.pt')));
    expect(dims[0]).toEqual({ key: 'base_model.model.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight', numel: 64, shape: [2, 32] });
    const space = await loadSpace(spaceFolderFromPath(out));
    expect([space.size, space.k, space.models]).toEqual([rank2.size, 3, 5]);
  });
});
