// The CPU attention fusion: a forward UNet graph with every attention as one MultiHeadAttention node gives
// the unfused graph's values; gradient graphs (whose backward reads the softmax) stay unfused.
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { createGraph } from '../../src/engine/graph/index';
import { parseUNetConfig, type UNetConfig } from '../../src/engine/io/config';
import type { SafetensorsFile } from '../../src/engine/io/safetensors';
import { loraLayout } from '../../src/engine/models/lora';
import { Params } from '../../src/engine/models/params';
import { buildUNet } from '../../src/engine/models/unet';
import { fuseAttention } from '../../src/engine/runtime/fuse-attention';
import { createNodeSession } from '../../src/engine/runtime/node';
import { asF32, f32, type HostTensor } from '../../src/engine/runtime/tensor';
import { buildUNetLoss } from '../../src/engine/sd/unet-loss';
import { fixturePath, openFixture, relErr, tensor } from '../helpers/fixture';

const SIZE = { batch: 2, height: 16, width: 16 };
let cfg: UNetConfig;
let weights: SafetensorsFile;
let feeds: Record<string, HostTensor>;

beforeAll(async () => {
  cfg = parseUNetConfig(JSON.parse(readFileSync(fixturePath('unet', 'config.json'), 'utf8')));
  weights = await openFixture('unet', 'diffusion_pytorch_model.safetensors');
  const ref = await openFixture('reference.safetensors');
  const theta = await ref.readFloat32('space.theta');
  feeds = {
    sample: await tensor(ref, 'unet.sample'),
    timestep: await tensor(ref, 'unet.timestep'),
    encoder_hidden_states: await tensor(ref, 'unet.encoder_hidden_states'),
    lora: f32([theta.length], theta),
  };
});

const unet = () => buildUNet(cfg, new Params(createGraph('unet'), weights), { ...SIZE, lora: true });
/** Self- and cross-attention in every transformer block the LoRA layout lists (4 LoRA modules each). */
const attentionCalls = () => (loraLayout(cfg).modules.size / 4) * 2;

it('fuses every attention of a forward graph and gives the unfused values', async () => {
  const fusedGraph = unet();
  expect(fuseAttention(fusedGraph)).toBe(attentionCalls());
  const ops = fusedGraph.nodes.map((n) => n.op);
  expect(ops.filter((o) => o === 'MultiHeadAttention')).toHaveLength(attentionCalls());
  expect(ops).not.toContain('Softmax');
  const run = async (graph = unet(), asBuilt = true) => {
    const s = await createNodeSession(graph, { asBuilt });
    try {
      return asF32((await s.run(feeds)).eps);
    } finally {
      await s.release();
    }
  };
  const fused = await run(fusedGraph);
  const unfused = await run();
  expect(fused.every(Number.isFinite)).toBe(true);
  // Same math, different summation order (the fused kernel is a blocked online softmax): the fixtures'
  // float32 component tolerance.
  expect(relErr(fused, unfused)).toBeLessThan(1e-4);
});

it('leaves gradient graphs unfused (their backward reads the attention intermediates)', () => {
  const g = buildUNetLoss(cfg, new Params(createGraph('loss'), weights), { batch: 1, height: 16, width: 16 });
  const before = g.nodes.length;
  expect(fuseAttention(g)).toBe(0);
  expect(g.nodes.length).toBe(before);
});
