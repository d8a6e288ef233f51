// Every exported LoRA, applied the way its own clients apply it, must give our UNet output for that
// identity. The rules are written out here from the clients' behaviour, independently of lora-files.ts:
// kohya (A1111/ComfyUI) scales B·A by each module's `.alpha` / rank; PEFT by adapter_config.json's
// lora_alpha / r; diffusers by the `lora_adapter_metadata` header when present (≥ 0.34), else alpha = r,
// and it renames `lora.down/up` (0.21–0.25 keys) to `lora_A/B`. The identity is the fixture's
// well-conditioned `space.coef`.
import { beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../src/cli/node-model';
import { openSafetensors, writeSafetensors, type SafetensorsFile } from '../../src/engine/io/safetensors';
import { fromBytes } from '../../src/engine/io/source';
import { LORA_SCALE, type LoraLayout } from '../../src/engine/models/lora';
import { loraToTensors } from '../../src/engine/models/lora-files';
import type { HostTensor } from '../../src/engine/runtime/tensor';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import type { Space } from '../../src/engine/space/space';
import { exportIdentity, type ExportFormat } from '../../src/engine/space/transfer';
import type { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';

/** One module's A (rank, in), B (out, rank) and the strength its client applies. */
interface Applied {
  a: Float32Array;
  b: Float32Array;
  scale: number;
}
type Rule = (file: SafetensorsFile, module: string) => Promise<Applied>;

const kohyaRule: Rule = async (file, module) => {
  const base = `lora_unet_${module.replaceAll('.', '_')}`;
  const rank = file.info(`${base}.lora_down.weight`).shape[0];
  const alpha = file.has(`${base}.alpha`) ? (await file.readFloat32(`${base}.alpha`))[0] : rank;
  return { a: await file.readFloat32(`${base}.lora_down.weight`), b: await file.readFloat32(`${base}.lora_up.weight`), scale: alpha / rank };
};

const peftRule = (config: { lora_alpha: number; r: number }): Rule => async (file, module) => {
  const key = (p: string) => `base_model.model.${module}.lora_${p}.identity1.weight`;
  return { a: await file.readFloat32(key('A')), b: await file.readFloat32(key('B')), scale: config.lora_alpha / config.r };
};

const diffusersRule: Rule = async (file, module) => {
  const keys = new Map(file.keys().map((k) => [k.replace('.lora.down.weight', '.lora_A.weight').replace('.lora.up.weight', '.lora_B.weight'), k]));
  const read = (p: string) => file.readFloat32(keys.get(`unet.${module}.lora_${p}.weight`)!);
  const rank = file.info(keys.get(`unet.${module}.lora_A.weight`)!).shape[0];
  let scale = 1; // alpha = r
  const meta = file.metadata.lora_adapter_metadata;
  if (meta !== undefined) {
    const c = JSON.parse(meta) as Record<string, number>;
    scale = (c['unet.lora_alpha'] ?? c.lora_alpha) / (c['unet.r'] ?? c.r ?? rank);
  }
  return { a: await read('A'), b: await read('B'), scale };
};

describe('exports applied by their own clients reproduce our UNet output', () => {
  let sd: StableDiffusion;
  let space: Space;
  let layout: LoraLayout;
  let coef: Float32Array;
  let inputs: HostTensor[];
  let ours: Float32Array;

  const eps = async (flat: Float32Array) => (await sd.unet(inputs[0], inputs[1], inputs[2], flat)).data as Float32Array;

  /** The flat vector whose LoRA term equals the client's: A as stored, B times scale / LORA_SCALE. */
  async function applied(file: SafetensorsFile, rule: Rule): Promise<Float32Array> {
    const flat = new Float32Array(layout.size);
    for (const m of layout.modules.values()) {
      const { a, b, scale } = await rule(file, m.module);
      flat.set(a, m.a.offset);
      flat.set(b.map((v) => (v * scale) / LORA_SCALE), m.b.offset);
    }
    return flat;
  }

  const exported = async (format: ExportFormat) => {
    const files = exportIdentity(space, layout, coef, format);
    const weights = files.find((f) => f.path.endsWith('.safetensors'))!;
    return { file: await openSafetensors(fromBytes(weights.path, weights.bytes)), files };
  };

  beforeAll(async () => {
    sd = await openModel(fixturePath());
    layout = sd.lora;
    space = await loadSpace(spaceFolderFromPath(fixturePath('w2w-space')), { layout });
    const ref = await openFixture('reference.safetensors');
    coef = await ref.readFloat32('space.coef');
    inputs = await Promise.all(['unet.sample', 'unet.timestep', 'unet.encoder_hidden_states'].map((k) => tensor(ref, k)));
    ours = await eps(space.theta(coef));
  }, 120_000);

  it('kohya, by each module’s .alpha', async () => {
    const { file } = await exported('kohya');
    expect(relErr(await eps(await applied(file, kohyaRule)), ours)).toBeLessThan(1e-4);
  });

  it('PEFT, by adapter_config.json', async () => {
    const { file, files } = await exported('peft');
    const config = JSON.parse(new TextDecoder().decode(files.find((f) => f.path.endsWith('adapter_config.json'))!.bytes));
    expect(relErr(await eps(await applied(file, peftRule(config))), ours)).toBeLessThan(1e-4);
  });

  it('diffusers, by alpha = r (no metadata), as every diffusers version reads the file', async () => {
    const { file } = await exported('diffusers');
    expect(file.metadata.lora_adapter_metadata).toBeUndefined();
    const err = relErr(await eps(await applied(file, diffusersRule)), ours);
    console.log(`diffusers export under the diffusers rule: relErr ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);
  });

  it('the diffusers rule with metadata: a file stating lora_alpha 27 in lora_adapter_metadata', async () => {
    const theta = space.theta(coef);
    const bytes = writeSafetensors(loraToTensors(layout, theta, 'diffusers'), { lora_adapter_metadata: JSON.stringify({ 'unet.r': 1, 'unet.lora_alpha': 27 }) });
    const file = await openSafetensors(fromBytes('meta.safetensors', bytes));
    expect(relErr(await eps(await applied(file, diffusersRule)), ours)).toBeLessThan(1e-4);
  });

  it("fails for the previous diffusers export (raw w2w A and B, no alpha): 27× too weak", async () => {
    const bytes = writeSafetensors(loraToTensors(layout, space.theta(coef), 'diffusers'));
    const file = await openSafetensors(fromBytes('old.safetensors', bytes));
    const err = relErr(await eps(await applied(file, diffusersRule)), ours);
    console.log(`previous diffusers export under the diffusers rule: relErr ${err.toExponential(2)}`);
    expect(err).toBeGreaterThan(1e-2);
  });
});
