// Synthetic LoRA collections for the build-space tests, written as real LoRA files: flat vectors with a
// decaying low-rank structure plus noise (as trained identity LoRAs have), in the fixture UNet's layout.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors } from '../../src/engine/io/safetensors';
import type { LoraLayout } from '../../src/engine/models/lora';
import { loraToTensors, type LoraFormat } from '../../src/engine/models/lora-files';
import { adapterConfig } from '../../src/engine/space/transfer';
import { Rng } from '../../src/engine/sd/random';

/** n flat vectors of the layout's length: Σ_i a_ni · 0.85^i · u_i over `factors` factors, plus noise. */
export function syntheticFlats(layout: LoraLayout, n: number, seed: number, factors = 40): Float32Array[] {
  const rng = new Rng(seed);
  const d = layout.size;
  const base = rng.normals(d).map((x) => 0.02 * x);
  const scale = rng.normals(d).map((x) => 0.01 * (1 + Math.abs(x))); // per-parameter spread differs
  const dirs = Array.from({ length: factors }, () => rng.normals(d));
  return Array.from({ length: n }, () => {
    const x = Float64Array.from(rng.normals(d), (e) => 0.05 * e);
    dirs.forEach((u, i) => {
      const a = rng.normals(1)[0] * 10 * 0.85 ** i;
      for (let t = 0; t < d; t++) x[t] += a * u[t];
    });
    return Float32Array.from(x, (v, t) => base[t] + scale[t] * v);
  });
}

/**
 * Writes each flat as a LoRA file under `dir` (formats in turn: kohya, PEFT with its adapter_config.json
 * in a folder of its own, diffusers): names lora_000…; returns the names in the order the CLI lists them.
 */
export async function writeLoras(dir: string, layout: LoraLayout, flats: readonly Float32Array[], formats: readonly LoraFormat[] = ['kohya', 'peft', 'diffusers-legacy']): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (const [i, flat] of flats.entries()) {
    const name = `lora_${String(i).padStart(3, '0')}`;
    const format = formats[i % formats.length];
    if (format === 'peft') {
      await mkdir(join(dir, name), { recursive: true });
      await writeFile(join(dir, name, 'adapter_model.safetensors'), writeSafetensors(loraToTensors(layout, flat, 'peft')));
      await writeFile(join(dir, name, 'adapter_config.json'), JSON.stringify(adapterConfig()));
    } else {
      // kohya states alpha 27 per module; the diffusers file states none (alpha = rank), so A and B carry √27.
      const stated = format === 'kohya' ? undefined : 1;
      await writeFile(join(dir, `${name}.safetensors`), writeSafetensors(loraToTensors(layout, flat, format, stated)));
    }
    names.push(name);
  }
  return names.sort();
}
