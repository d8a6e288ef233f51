// LoRA files named on the command line, with the adapter_config.json beside a PEFT adapter honoured.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AdapterScale } from '../engine/models/lora-files';

/** adapter_config.json in the file's folder, if there is one (it states a PEFT adapter's strength). */
export async function adapterConfigBeside(path: string): Promise<AdapterScale | undefined> {
  const at = join(dirname(path), 'adapter_config.json');
  let text: string;
  try {
    text = await readFile(at, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as AdapterScale;
  } catch (e) {
    throw new Error(`${at}: not valid JSON (${(e as Error).message})`);
  }
}
