// The w2w LoRA layout and its file formats against the tiny-sd-a fixture and the real SD 1.5 numbers.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUNetConfig, type UNetConfig } from '../../src/engine/io/config';
import { openSafetensors, writeSafetensors, type SafetensorsFile } from '../../src/engine/io/safetensors';
import { fromBytes } from '../../src/engine/io/source';
import { LORA_SCALE, loraLayout, type LoraLayout } from '../../src/engine/models/lora';
import {
  describeStrength, detectLoraFormat, DIFFUSERS_METADATA_KEY, LORA_FORMATS, loraKey, loraToTensors, readLora, type LoraFormat,
} from '../../src/engine/models/lora-files';
import { fixturePath, openFixture } from '../helpers/fixture';
import { tamper } from '../helpers/tampered-source';
import { SD15_UNET_CONFIG } from '../helpers/unet-shapes';

let cfg: UNetConfig;
let layout: LoraLayout;
let refFlat: Float32Array;
let diffusersFile: SafetensorsFile;

beforeAll(async () => {
  cfg = parseUNetConfig(JSON.parse(readFileSync(fixturePath('unet', 'config.json'), 'utf8')));
  layout = loraLayout(cfg);
  refFlat = await (await openFixture('reference.safetensors')).readFloat32('lora.flat');
  diffusersFile = await openFixture('lora', 'pytorch_lora_weights.safetensors');
});

/** A file in `format` holding `flat` (stating `scale`), read back through the safetensors reader. */
const fileOf = async (flat: Float32Array, format: LoraFormat, scale?: number, metadata?: Record<string, string>) =>
  openSafetensors(fromBytes(`lora.${format}.safetensors`, writeSafetensors(loraToTensors(layout, flat, format, scale), metadata)));
/** The w2w strength, as the official adapter_config.json states it. */
const W2W_CONFIG = { lora_alpha: 27, r: 1 };

describe('w2w LoRA layout', () => {
  it('lists the fixture reference.json keys, order and shapes exactly', () => {
    const ref = JSON.parse(readFileSync(fixturePath('reference.json'), 'utf8'));
    expect(layout.tensors.map((t) => t.key)).toEqual(ref.lora_order);
    expect(Object.fromEntries(layout.tensors.map((t) => [t.key, [...t.shape]]))).toEqual(ref.lora_shapes);
    expect(layout.size).toBe(6560);
    expect(layout.modules.size).toBe(64);
  });

  it('packs the tensors back to back in flat order', () => {
    let at = 0;
    for (const t of layout.tensors) {
      expect(t.offset).toBe(at);
      at += t.size;
    }
    expect(at).toBe(layout.size);
  });

  it('has 99,648 numbers for real SD 1.5: 7·C + 768 per transformer block', () => {
    const sd = loraLayout(parseUNetConfig(SD15_UNET_CONFIG));
    expect(sd.size).toBe(99_648);
    expect(sd.tensors).toHaveLength(128);
    const first = sd.modules.get('down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_v')!;
    expect([first.inFeatures, first.outFeatures]).toEqual([768, 320]);
  });
});

describe('LoRA files', () => {
  it("flattens the fixture's diffusers-format file to lora.flat (stated alpha 27) exactly", async () => {
    expect(diffusersFile.keys()[0]).toMatch(/^unet\.down_blocks\.0\..*\.lora_A\.weight$/);
    expect(detectLoraFormat(layout, diffusersFile.keys())).toBe('diffusers');
    const { flat } = await readLora(layout, diffusersFile, W2W_CONFIG);
    expect(Array.from(flat)).toEqual(Array.from(refFlat));
  });

  it('names tensors as PEFT, the official w2w code, diffusers (both generations) and kohya do', () => {
    const m = 'mid_block.attentions.0.transformer_blocks.0.attn1.to_q';
    expect(loraKey(m, 'A', 'peft')).toBe(`base_model.model.${m}.lora_A.weight`);
    expect(loraKey(m, 'B', 'w2w')).toBe(`base_model.model.${m}.lora_B.identity1.weight`);
    expect(loraKey(m, 'A', 'diffusers')).toBe(`unet.${m}.lora_A.weight`);
    expect(loraKey(m, 'B', 'diffusers-legacy')).toBe(`unet.${m}.lora.up.weight`);
    expect(loraKey(m, 'B', 'kohya')).toBe('lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight');
  });

  it.each(LORA_FORMATS)('round-trips the flat vector through a %s file stating alpha 27', async (format) => {
    const file = await fileOf(refFlat, format);
    expect(file.keys()).toHaveLength(format === 'kohya' ? 192 : 128);
    expect(detectLoraFormat(layout, file.keys())).toBe(format);
    const config = format === 'peft' || format === 'w2w' ? W2W_CONFIG : { lora_alpha: 27 };
    const read = await readLora(layout, file, format === 'kohya' ? undefined : config);
    expect(Array.from(read.flat)).toEqual(Array.from(refFlat));
    expect(read.strength).toMatchObject({ min: 27, max: 27 });
  });

  it('writes PEFT keys in flat order', () => {
    expect(loraToTensors(layout, refFlat).map((t) => t.name)).toEqual(layout.tensors.map((t) => t.key));
  });

  it('reads each format at the strength its file states, split evenly between A and B', async () => {
    const scaled = (s: number) => refFlat.map((v) => v * Math.sqrt(s / LORA_SCALE));
    const near = (a: Float32Array, b: Float32Array) => a.every((v, i) => Math.abs(v - b[i]) <= 1e-6 * Math.abs(b[i]));
    // The same tensors stated at 13.5 by each format's own field: ΔW is half of the w2w one.
    const peft = await readLora(layout, await fileOf(refFlat, 'peft'), { lora_alpha: 27, r: 2 });
    const alphas = Object.fromEntries(
      [...layout.modules.keys()].map((m) => [`lora_unet_${m.replaceAll('.', '_')}.alpha`, () => Float32Array.of(13.5)]),
    );
    const kohya = await readLora(layout, tamper(await fileOf(refFlat, 'kohya'), { edit: alphas }));
    const meta = await readLora(layout, await fileOf(refFlat, 'diffusers', undefined, { [DIFFUSERS_METADATA_KEY]: JSON.stringify({ 'unet.r': 2, 'unet.lora_alpha': 27 }) }));
    for (const r of [peft, kohya, meta]) expect(near(r.flat, scaled(13.5))).toBe(true);
    expect([peft, kohya, meta].map((r) => describeStrength(r.strength))).toEqual([
      '13.5 (adapter_config.json)', "13.5 (each module's .alpha)", '13.5 (the file\'s lora_adapter_metadata)',
    ]);
    // Nothing stated: diffusers' alpha = rank (1), kohya's alpha = rank per module.
    const plain = await readLora(layout, diffusersFile);
    expect(near(plain.flat, scaled(1))).toBe(true);
    expect(describeStrength(plain.strength)).toBe("1 (no alpha in the file: alpha = rank, diffusers' default)");
    const drop = [...layout.modules.keys()].slice(0, 3).map((m) => `lora_unet_${m.replaceAll('.', '_')}.alpha`);
    const someAlphas = await readLora(layout, tamper(await fileOf(refFlat, 'kohya'), { drop }));
    expect(describeStrength(someAlphas.strength)).toBe("1–27 (each module's .alpha, alpha = rank where absent)");
    // A file written to state s reads back exactly at the w2w strength.
    const folded = await readLora(layout, await fileOf(refFlat, 'diffusers-legacy', 1));
    expect(near(folded.flat, refFlat)).toBe(true);
  });

  it('refuses a PEFT adapter without its config, and bad stated strengths, naming them', async () => {
    await expect(readLora(layout, await fileOf(refFlat, 'peft'))).rejects.toThrow(
      'lora.peft.safetensors: a PEFT adapter states its strength (lora_alpha, r) in its adapter_config.json; pick both files together',
    );
    await expect(readLora(layout, await fileOf(refFlat, 'diffusers', undefined, { [DIFFUSERS_METADATA_KEY]: '{"lora_alpha": -1}' }))).rejects.toThrow(
      'lora.diffusers.safetensors: lora_adapter_metadata lora_alpha must be a positive number, got -1',
    );
    await expect(readLora(layout, await fileOf(refFlat, 'diffusers', undefined, { [DIFFUSERS_METADATA_KEY]: '{' }))).rejects.toThrow(
      /^lora\.diffusers\.safetensors: lora_adapter_metadata is not valid JSON/,
    );
  });

  it('rejects a file with a missing, misshapen or foreign tensor, naming it', async () => {
    const key = 'unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_v.lora_A.weight';
    await expect(readLora(layout, tamper(diffusersFile, { drop: [key] }))).rejects.toThrow(`missing LoRA tensor ${key}`);
    await expect(readLora(layout, tamper(diffusersFile, { shapes: { [key]: [1, 64] } }))).rejects.toThrow(
      `LoRA tensor ${key} in ${diffusersFile.name} (tampered) has shape [1,64], the w2w layout needs [1,32]`,
    );
    const extra = [
      ...loraToTensors(layout, refFlat),
      { name: 'base_model.model.conv_in.lora_A.weight', dtype: 'F32' as const, shape: [1, 1], data: Float32Array.of(1) },
    ];
    const file = await openSafetensors(fromBytes('extra.safetensors', writeSafetensors(extra)));
    await expect(readLora(layout, file, W2W_CONFIG)).rejects.toThrow('holds base_model.model.conv_in.lora_A.weight, outside the w2w layout');
  });

  it('rejects a file of another layout and a vector of the wrong length', async () => {
    expect(() => detectLoraFormat(layout, ['lora_te_text_model.x.lora_down.weight'])).toThrow(/not a LoRA for this UNet/);
    expect(() => loraToTensors(layout, new Float32Array(99_648))).toThrow('99648 values, the UNet\'s layout needs 6560');
  });
});
