// Export → import → projection on the fixture space: every format returns the same coefficients.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUNetConfig } from '../../src/engine/io/config';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { openSafetensors, writeSafetensors } from '../../src/engine/io/safetensors';
import { fromBytes } from '../../src/engine/io/source';
import { openPath } from '../../src/engine/io/source-node';
import { LORA_ALPHA, loraLayout, type LoraLayout } from '../../src/engine/models/lora';
import { readLora } from '../../src/engine/models/lora-files';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace } from '../../src/engine/space/load';
import { relativeResidual } from '../../src/engine/space/math';
import { openTensor } from '../../src/engine/space/pt';
import type { Space } from '../../src/engine/space/space';
import { EXPORT_FORMATS, exportIdentity, importIdentity } from '../../src/engine/space/transfer';
import { fixturePath, relErr } from '../helpers/fixture';

describe('export and import', () => {
  let layout: LoraLayout;
  let space: Space;
  let coef: Float32Array;

  beforeAll(async () => {
    layout = loraLayout(parseUNetConfig(await folderFromPath(fixturePath()).json('unet/config.json')));
    space = await loadSpace(spaceFolderFromPath(fixturePath('w2w-space')), { layout });
    coef = space.edit(space.sample(11, 0.8), [{ direction: 'Young~Male', slider: 0.5 }]);
  });

  for (const format of EXPORT_FORMATS) {
    it(`${format}: export → import → projection returns the same coefficients`, async () => {
      const files = exportIdentity(space, layout, coef, format);
      const weights = files.find((f) => !f.path.endsWith('.json'))!;
      const config = files.find((f) => f.path.endsWith('adapter_config.json'));
      const back = await importIdentity(space, layout, fromBytes(weights.path, weights.bytes), config && JSON.parse(new TextDecoder().decode(config.bytes)));
      expect(back.residual).toBeLessThan(1e-5);
      expect(relErr(back.coef, coef)).toBeLessThan(1e-5);
    });
  }

  it('w2w: a (1, k) float32 torch tensor named w2wmodel.pt, read back exactly', async () => {
    const [file] = exportIdentity(space, layout, coef, 'w2w');
    expect(file.path).toBe('w2wmodel.pt');
    const t = await openTensor(fromBytes(file.path, file.bytes));
    expect([t.dtype, ...t.shape]).toEqual(['float32', 1, space.k]);
    expect(Array.from(await t.read())).toEqual(Array.from(coef));
  });

  it('peft: unet/adapter_model.safetensors with the official keys, and adapter_config.json (r 1, alpha 27)', async () => {
    const files = exportIdentity(space, layout, coef, 'peft', { fp16: true });
    expect(files.map((f) => f.path)).toEqual(['unet/adapter_model.safetensors', 'unet/adapter_config.json']);
    const st = await openSafetensors(fromBytes('a', files[0].bytes));
    expect(st.keys()[0]).toBe('base_model.model.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.identity1.weight');
    expect(st.keys().length).toBe(layout.tensors.length);
    expect(st.info(st.keys()[0]).dtype).toBe('F16');
    const cfg = JSON.parse(new TextDecoder().decode(files[1].bytes));
    expect([cfg.r, cfg.lora_alpha, cfg.peft_type]).toEqual([1, LORA_ALPHA, 'LORA']);
    // fp16 loses a little: the projection reports it.
    const back = await importIdentity(space, layout, fromBytes('a', files[0].bytes), cfg);
    expect(back.residual).toBeGreaterThan(0);
    expect(back.residual).toBeLessThan(1e-2);
    expect(relErr(back.coef, coef)).toBeLessThan(1e-2);
  });

  it('kohya: lora_down / lora_up / alpha per module, and what LoRA browsers show', async () => {
    const [file] = exportIdentity(space, layout, coef, 'kohya', { name: 'ada' });
    expect(file.path).toBe('ada.safetensors');
    const st = await openSafetensors(fromBytes('k', file.bytes));
    const m = 'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_v';
    expect(st.has(`${m}.lora_down.weight`) && st.has(`${m}.lora_up.weight`)).toBe(true);
    expect(Array.from(await st.readFloat32(`${m}.alpha`))).toEqual([LORA_ALPHA]);
    expect(st.metadata).toMatchObject({
      ss_base_model_version: 'sd_v1', ss_network_dim: '1', ss_network_alpha: '27', ss_output_name: 'ada',
      'modelspec.architecture': 'stable-diffusion-v1/lora', 'modelspec.title': 'ada', 'modelspec.trigger_phrase': 'sks person', w2w_k: '48',
    });
  });

  it('diffusers: keys every diffusers since 0.21 loads, no stated alpha, √27 folded into A and B', async () => {
    const [file] = exportIdentity(space, layout, coef, 'diffusers');
    const st = await openSafetensors(fromBytes('d', file.bytes));
    const m = 'unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_v';
    expect(st.keys()).toContain(`${m}.lora.down.weight`);
    expect(st.metadata).toEqual({ format: 'pt' });
    const t = layout.modules.get(m.slice('unet.'.length))!.a;
    const a = await st.readFloat32(`${m}.lora.down.weight`);
    const theta = space.theta(coef).subarray(t.offset, t.offset + t.size);
    expect(relErr(a, theta.map((v) => v * Math.sqrt(LORA_ALPHA)))).toBeLessThan(1e-6);
  });

  it('a legacy (non-zip) torch.save file is refused as such', async () => {
    const legacy = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e, ...new Uint8Array(64));
    await expect(importIdentity(space, layout, fromBytes('old.pt', legacy))).rejects.toThrow(
      /^old\.pt: a bare pickle, not a zip archive: the legacy torch\.save format .* is not supported/,
    );
  });

  it('a LoRA outside the space: the residual is what the projection loses', async () => {
    const src = await openPath(fixturePath('lora', 'pytorch_lora_weights.safetensors'));
    const { flat: theta } = await readLora(layout, await openSafetensors(src));
    const got = await importIdentity(space, layout, src);
    expect(got.strength).toEqual({ min: 1, max: 1, rule: "no alpha in the file: alpha = rank, diffusers' default" });
    expect(got.residual).toBeCloseTo(relativeResidual(theta, space.theta(space.coef(theta))), 6);
    // Random weights far outside the span (θ̂ includes the mean, so the ratio may exceed 1).
    expect(got.residual).toBeGreaterThan(0.1);
  });

  it('refuses a w2w model with more coefficients than the space holds', async () => {
    const [file] = exportIdentity(space, layout, coef, 'w2w');
    const small = await loadSpace(spaceFolderFromPath(fixturePath('w2w-space')), { k: 8 });
    await expect(importIdentity(small, layout, fromBytes('w2wmodel.pt', file.bytes))).rejects.toThrow(/has 48 coefficients, the space holds 8/);
  });

  it('every import failure names the file', async () => {
    const text = writeSafetensors([{ name: 'lora_te_text_model.x.lora_down.weight', dtype: 'F32', shape: [1, 2], data: new Float32Array(2) }]);
    await expect(importIdentity(space, layout, fromBytes('te.safetensors', text))).rejects.toThrow(/^te\.safetensors: not a LoRA for this UNet's w2w layout/);
    await expect(importIdentity(space, layout, fromBytes('junk.safetensors', new Uint8Array(16)))).rejects.toThrow(/^junk\.safetensors: /);
    await expect(importIdentity(space, layout, fromBytes('w.pt', Uint8Array.of(0x50, 0x4b, 3, 4, 0)))).rejects.toThrow(/w\.pt/);
  });
});
