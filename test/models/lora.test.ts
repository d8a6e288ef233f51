// The w2w LoRA layout and its file formats against the tiny-sd-a fixture and the real SD 1.5 numbers.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUNetConfig, type UNetConfig } from '../../src/engine/io/config';
import { openSafetensors, writeSafetensors, type SafetensorsFile } from '../../src/engine/io/safetensors';
import { fromBytes } from '../../src/engine/io/source';
import {
  detectLoraFormat, LORA_FORMATS, loraFromTensors, loraKey, loraLayout, loraToTensors, type LoraFormat, type LoraLayout,
} from '../../src/engine/models/lora';
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

/** A file in `format` holding `flat`, read back through the safetensors reader. */
const fileOf = async (flat: Float32Array, format: LoraFormat) =>
  openSafetensors(fromBytes(`lora.${format}.safetensors`, writeSafetensors(loraToTensors(layout, flat, format))));

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
  it("flattens the fixture's diffusers-format file to lora.flat exactly", async () => {
    expect(diffusersFile.keys()[0]).toMatch(/^unet\.down_blocks\.0\..*\.lora_A\.weight$/);
    expect(detectLoraFormat(layout, diffusersFile.keys())).toBe('diffusers');
    const flat = await loraFromTensors(layout, diffusersFile);
    expect(Array.from(flat)).toEqual(Array.from(refFlat));
  });

  it('names tensors as PEFT, the official w2w code, diffusers and kohya do', () => {
    const m = 'mid_block.attentions.0.transformer_blocks.0.attn1.to_q';
    expect(loraKey(m, 'A', 'peft')).toBe(`base_model.model.${m}.lora_A.weight`);
    expect(loraKey(m, 'B', 'w2w')).toBe(`base_model.model.${m}.lora_B.identity1.weight`);
    expect(loraKey(m, 'A', 'diffusers')).toBe(`unet.${m}.lora_A.weight`);
    expect(loraKey(m, 'B', 'kohya')).toBe('lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight');
  });

  it.each(LORA_FORMATS)('round-trips the flat vector through a %s file', async (format) => {
    const file = await fileOf(refFlat, format);
    expect(file.keys()).toHaveLength(format === 'kohya' ? 192 : 128);
    expect(detectLoraFormat(layout, file.keys())).toBe(format);
    expect(Array.from(await loraFromTensors(layout, file))).toEqual(Array.from(refFlat));
  });

  it('writes PEFT keys in flat order', () => {
    expect(loraToTensors(layout, refFlat).map((t) => t.name)).toEqual(layout.tensors.map((t) => t.key));
  });

  it("folds another alpha into B: the file's scale, or kohya's per-module alpha", async () => {
    const halfB = refFlat.map((v, i) => (layout.tensors.find((t) => i >= t.offset && i < t.offset + t.size)!.part === 'B' ? v / 2 : v));
    const peft = await loraFromTensors(layout, await fileOf(refFlat, 'peft'), 13.5);
    expect(Array.from(peft)).toEqual(Array.from(halfB));
    const alphas = Object.fromEntries(
      [...layout.modules.keys()].map((m) => [`lora_unet_${m.replaceAll('.', '_')}.alpha`, () => Float32Array.of(13.5)]),
    );
    const kohya = await loraFromTensors(layout, tamper(await fileOf(refFlat, 'kohya'), { edit: alphas }));
    expect(Array.from(kohya)).toEqual(Array.from(halfB));
  });

  it('rejects a file with a missing, misshapen or foreign tensor, naming it', async () => {
    const key = 'unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_v.lora_A.weight';
    await expect(loraFromTensors(layout, tamper(diffusersFile, { drop: [key] }))).rejects.toThrow(`missing LoRA tensor ${key}`);
    await expect(loraFromTensors(layout, tamper(diffusersFile, { shapes: { [key]: [1, 64] } }))).rejects.toThrow(
      `LoRA tensor ${key} in ${diffusersFile.name} (tampered) has shape [1,64], the w2w layout needs [1,32]`,
    );
    const extra = [
      ...loraToTensors(layout, refFlat),
      { name: 'base_model.model.conv_in.lora_A.weight', dtype: 'F32' as const, shape: [1, 1], data: Float32Array.of(1) },
    ];
    const file = await openSafetensors(fromBytes('extra.safetensors', writeSafetensors(extra)));
    await expect(loraFromTensors(layout, file)).rejects.toThrow('holds base_model.model.conv_in.lora_A.weight, outside the w2w layout');
  });

  it('rejects a file of another layout and a vector of the wrong length', async () => {
    expect(() => detectLoraFormat(layout, ['lora_te_text_model.x.lora_down.weight'])).toThrow(/not a LoRA for this UNet/);
    expect(() => loraToTensors(layout, new Float32Array(99_648))).toThrow('99648 values, the UNet\'s layout needs 6560');
  });
});
