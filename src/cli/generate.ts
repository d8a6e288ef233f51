// `generate`: txt2img for users, optionally with a LoRA file (PEFT, diffusers, w2w or kohya keys).
import { writeFile } from 'node:fs/promises';
import { openSafetensors } from '../engine/io/safetensors';
import { openPath } from '../engine/io/source-node';
import { describeStrength, readLora } from '../engine/models/lora-files';
import { tensorToRgba } from '../engine/sd/image';
import { generate } from '../engine/sd/pipeline';
import { parseFlags, str } from './args';
import { GENERATION_FLAGS, generationSettings } from './generation-flags';
import { adapterConfigBeside } from './lora-file';
import { MODEL_FLAGS, openModelFromFlags } from './node-model';
import { encodePng } from './png';

export async function generateCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, {
    known: [...MODEL_FLAGS, ...GENERATION_FLAGS, 'lora', 'out'],
  });
  const sd = await openModelFromFlags(f);
  try {
    let lora: Float32Array | null = null;
    if (f.lora) {
      const path = str(f, 'lora');
      const read = await readLora(sd.lora, await openSafetensors(await openPath(path)), await adapterConfigBeside(path));
      console.log(`${path}: ${read.format} LoRA at strength ${describeStrength(read.strength)}`);
      lora = read.flat;
    }
    const started = Date.now();
    const r = await generate(sd, {
      ...generationSettings(f),
      prompt: str(f, 'prompt'),
      lora,
      onStep: (s) => {
        process.stdout.write(`\rstep ${s.step}/${s.total} t=${s.timestep}   `);
      },
    });
    await writeFile(str(f, 'out'), encodePng(tensorToRgba(r.image)));
    console.log(`\nwrote ${str(f, 'out')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await sd.release();
  }
}
