// The LoRAs of a space being built, as buildSpace reads them: the naming both sources share (a LoRA is its
// path under the folder without the extension; a PEFT/diffusers file is named by its folder) and the
// File-backed source the tab uses. Each pass opens a File afresh and slices it (Blob.slice), as the CLI
// re-reads from disk (src/cli/build-space.ts): nothing holds every LoRA's bytes at once.
import { fromBlob } from '../io/source';
import type { AdapterScale } from '../models/lora-files';
import type { LoraInput } from './build';

/** A LoRA's name from its path (relative to the folder it was found in, or the bare file name). */
export function loraName(relativePath: string): string {
  let name = relativePath.replaceAll('\\', '/').replace(/\.safetensors$/, '');
  const m = /^(.+?)(?:\/unet)?\/(?:adapter_model|pytorch_lora_weights)$/.exec(name);
  if (m) name = m[1];
  return name;
}

/** Refuses two LoRAs of one name (the names are the space's index). */
export function checkDistinctNames(loras: readonly LoraInput[]): void {
  const seen = new Set<string>();
  for (const l of loras) {
    if (seen.has(l.name)) throw new Error(`two LoRAs are named ${l.name}: give them distinct names (the space's index)`);
    seen.add(l.name);
  }
}

const dirOf = (path: string) => path.replaceAll('\\', '/').replace(/\/?[^/]*$/, '');

/**
 * The .safetensors among picked or dropped files (keyed by their path under the folder, or bare names), in
 * path order, each with the adapter_config.json beside it when there is one (a PEFT adapter's strength).
 */
export async function loraInputsFromFiles(files: ReadonlyMap<string, Blob>): Promise<LoraInput[]> {
  const paths = [...files.keys()].filter((p) => p.endsWith('.safetensors')).sort();
  if (!paths.length) throw new Error(`the ${files.size} selected files hold no .safetensors file`);
  const configs = new Map<string, Blob>();
  for (const [p, b] of files) if (/(^|[\\/])adapter_config\.json$/.test(p)) configs.set(dirOf(p), b);
  const out: LoraInput[] = [];
  for (const path of paths) {
    const file = files.get(path)!;
    const at = configs.get(dirOf(path));
    let config: AdapterScale | undefined;
    if (at)
      try {
        config = JSON.parse(await at.text()) as AdapterScale;
      } catch (e) {
        throw new Error(`${dirOf(path)}/adapter_config.json: not valid JSON (${(e as Error).message})`);
      }
    out.push({ name: loraName(path), open: async () => fromBlob(file, path), config });
  }
  checkDistinctNames(out);
  return out;
}
