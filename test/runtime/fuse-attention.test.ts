// The CPU attention fusion: every w2w::Attention node of a UNet graph becomes one MultiHeadAttention node
// and gives the lowered (chunked MatMul/Softmax) graph's values, forward and gradient graphs alike (the
// op's VJP recomputes the probabilities, so nothing reads the fused node's internals).
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { createGraph } from '../../src/engine/graph/index';
import { parseUNetConfig, type UNetConfig } from '../../src/engine/io/config';
import type { SafetensorsFile } from '../../src/engine/io/safetensors';
import { loraLayout } from '../../src/engine/models/lora';
import { Params } from '../../src/engine/models/params';
import { buildUNet } from '../../src/engine/models/unet';
import { fuseAttention } from '../../src/engine/runtime/fuse-attention';
import { createNodeSession, type NodeSessionOptions } from '../../src/engine/runtime/node';
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

const buildLoss = () => buildUNetLoss(cfg, new Params(createGraph('loss'), weights), { batch: 1, height: 16, width: 16 });

/** Loss and d loss / d lora of a gradient graph at batch element 0 of the fixture's UNet inputs. */
async function lossAndGrad(graph: ReturnType<typeof buildLoss>, opts: NodeSessionOptions) {
  const one = (t: HostTensor) => f32([1, ...t.shape.slice(1)], asF32(t).subarray(0, asF32(t).length / t.shape[0]));
  const s = await createNodeSession(graph, opts);
  try {
    const out = await s.run({
      sample: one(feeds.sample),
      timestep: { ...feeds.timestep, shape: [1], data: (feeds.timestep.data as BigInt64Array).subarray(0, 1) },
      encoder_hidden_states: one(feeds.encoder_hidden_states),
      lora: feeds.lora,
      target: one(feeds.sample),
      mask: f32([1, 1, 16, 16], new Float32Array(256).fill(1)),
    });
    return { loss: asF32(out.loss)[0], grad: asF32(out.grad_lora) };
  } finally {
    await s.release();
  }
}

it('fuses the forward attention of gradient graphs and gives the lowered graph\'s loss and gradient', async () => {
  const fusedGraph = buildLoss();
  expect(fuseAttention(fusedGraph)).toBe(attentionCalls());
  const fused = await lossAndGrad(fusedGraph, { asBuilt: true });
  const lowered = await lossAndGrad(buildLoss(), { asBuilt: true });
  expect(fused.grad.some((g) => g !== 0)).toBe(true);
  expect(Math.abs(fused.loss - lowered.loss) / lowered.loss).toBeLessThan(1e-5);
  expect(relErr(fused.grad, lowered.grad)).toBeLessThan(1e-3);
});

it('the low-memory mode (no folding, no blocked layout, ConvTranspose kept) gives the fast mode\'s values', async () => {
  const fast = await lossAndGrad(buildLoss(), {});
  const low = await lossAndGrad(buildLoss(), { memory: 'low' });
  expect(Math.abs(fast.loss - low.loss) / fast.loss).toBeLessThan(1e-5);
  expect(relErr(low.grad, fast.grad)).toBeLessThan(1e-3);
});
