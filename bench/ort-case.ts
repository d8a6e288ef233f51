// One benchmark configuration on onnxruntime-node, in its own process (so its peak memory is its own):
// build the graph, create the session, run a UNet forward (batch 2, one CFG step) or a gradient step
// (batch 1: masked loss and d loss / d LoRA vector) or an inversion step (`invert_k<K>`: the gradient step with
// θ computed in the graph from K coefficients and a synthetic V_k, d loss / d c out), and print one JSON line.
//   tsx bench/ort-case.ts --model sd15|tiny --precision fp32|fp16 --task forward|grad|invert_k<K> [--runs N] [--threads T]
//     [--size S] [--ort JSON] [--as-built] [--memory fast|low] [--provider cpu|webgpu]   (extra onnxruntime
//     session options; skip the CPU rewrites; the Node runtime's memory mode; onnxruntime-node's provider: on
//     WebGPU the weights are uploaded once and fed as GPU inputs, as the app does)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGraph } from '../src/engine/graph/ops/index';
import { parseUNetConfig } from '../src/engine/io/config';
import { openSafetensors } from '../src/engine/io/safetensors';
import { openPath } from '../src/engine/io/source-node';
import { loraLayout } from '../src/engine/models/lora';
import { Params, type Precision, type TensorSource } from '../src/engine/models/params';
import { buildUNet } from '../src/engine/models/unet';
import { HostWeights } from '../src/engine/runtime/host-weights';
import { NodeGpuWeights } from '../src/engine/runtime/node-gpu-weights';
import { isBasisSource } from '../src/engine/space/basis-graph';
import { createNodeSession, nodeOrt, type NodeProvider } from '../src/engine/runtime/node';
import { f32, i64, type HostTensor } from '../src/engine/runtime/tensor';
import { Rng } from '../src/engine/sd/random';
import { buildUNetLoss } from '../src/engine/sd/unet-loss';
import { unetWeightShapes } from '../test/helpers/unet-shapes';
import { memory, resetPeak } from './memory';
import { MODELS } from './models';
import { randomSource } from './random-weights';
import { isEntry } from './entry';
import { syntheticGraphBasis } from './synthetic-basis';

/** One UNet configuration (flags above); prints its JSON line. */
export async function ortCase(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'tiny' },
      precision: { type: 'string', default: 'fp32' },
      task: { type: 'string', default: 'forward' },
      runs: { type: 'string', default: '1' },
      threads: { type: 'string', default: '2' },
      size: { type: 'string' },
      ort: { type: 'string', default: '{}' },
      seed: { type: 'string', default: '0' },
      'as-built': { type: 'boolean', default: false },
      memory: { type: 'string', default: 'fast' },
      provider: { type: 'string', default: 'cpu' },
    },
  });
  const provider: NodeProvider = a.provider === 'webgpu' ? 'webgpu' : 'cpu';
  const invertK = /^invert_k(\d+)$/.exec(a.task!);
  // As the CLI holds them: on WebGPU every weight once on the GPU, on the CPU only V_k outside the session.
  const weights = provider === 'webgpu' ? new NodeGpuWeights(nodeOrt) : invertK ? new HostWeights(nodeOrt, isBasisSource) : undefined;

  const model = MODELS[a.model!];
  if (!model) throw new Error(`--model must be one of ${Object.keys(MODELS).join(', ')}`);
  const precision: Precision = a.precision === 'fp16' ? { compute: 'float16', storage: 'float16' } : { compute: 'float32', storage: 'float32' };
  const cfg = parseUNetConfig(JSON.parse(readFileSync(model.config, 'utf8')), model.config);
  const seed = Number(a.seed);
  const size = Number(a.size ?? cfg.sampleSize);
  const forward = a.task === 'forward';
  const batch = forward ? 2 : 1;

  const src: TensorSource & { generateMs?: number } = model.weights
    ? await openSafetensors(await openPath(model.weights))
    : randomSource(a.model!, unetWeightShapes(cfg), seed);

  /** Progress on stderr, with memory, so a run killed for memory shows how far it got. */
  const progress = (what: string) => {
    const js = process.memoryUsage().arrayBuffers / 2 ** 20;
    process.stderr.write(`${what}: rss ${memory().rss.toFixed(0)} MiB, peak ${memory().hwm.toFixed(0)} MiB, JS buffers ${js.toFixed(0)} MiB\n`);
  };
  const t0 = performance.now();
  const params = new Params(createGraph(`unet_${a.task}`), src, precision);
  const shape = { batch, height: size, width: size };
  // V_k as the app stores it: like the model's weights on WebGPU, float32 on the CPU (its Cast is slow there).
  const basis = invertK ? syntheticGraphBasis(loraLayout(cfg).size, Number(invertK[1]), provider === 'webgpu' && precision.storage === 'float16' ? 'float16' : 'float32') : undefined;
  const basisFillMs = performance.now() - t0;
  const t0b = performance.now();
  const graph = forward ? buildUNet(cfg, params, { ...shape, lora: true }) : buildUNetLoss(cfg, params, shape, basis);
  const buildMs = performance.now() - t0b;

  const ortOptions = { intraOpNumThreads: Number(a.threads), interOpNumThreads: 1, ...JSON.parse(a.ort!) };
  const asBuilt = a['as-built'];
  const t1 = performance.now();
  const memoryMode = a.memory === 'low' ? 'low' : 'fast';
  const session = await createNodeSession(graph, { ortOptions, asBuilt, memory: memoryMode, provider, weights });
  const sessionMs = performance.now() - t1 - (src.generateMs ?? 0);
  progress('session created');
  // The weight shards handed to onnxruntime are garbage once the session exists; collect them now (run.ts
  // passes --expose-gc) so the step's peak shows the steady state an app reaches, not V8's GC timing.
  (globalThis as { gc?: () => void }).gc?.();
  const setupPeak = memory().hwm;
  progress('after gc');

  const rng = new Rng(seed + 1);
  const loraSize = loraLayout(cfg).size;
  const feeds: Record<string, HostTensor> = {
    sample: f32([batch, cfg.inChannels, size, size], rng.normals(batch * cfg.inChannels * size * size)),
    timestep: i64([batch], [981, 501].slice(0, batch)),
    encoder_hidden_states: f32([batch, 77, cfg.crossAttentionDim], rng.normals(batch * 77 * cfg.crossAttentionDim)),
    lora: f32([loraSize], Float32Array.from({ length: loraSize }, () => (rng.uniform() - 0.5) * 0.02)),
  };
  if (basis) {
    delete feeds.lora;
    feeds.coef = f32([basis.k], rng.normals(basis.k).map((x) => x * 0.1));
  }
  if (!forward) {
    feeds.target = f32([batch, cfg.outChannels, size, size], rng.normals(batch * cfg.outChannels * size * size));
    feeds.mask = f32([1, 1, size, size], Float32Array.from({ length: size * size }, () => (rng.uniform() > 0.5 ? 1 : 0)));
  }

  const times: number[] = [];
  const peaks: number[] = [];
  let finite = true;
  for (let r = 0; r <= Number(a.runs); r++) {
    // Run 0 warms up (first-run allocations); the rest are timed.
    resetPeak();
    const s = performance.now();
    const out = await session.run(feeds);
    times.push(performance.now() - s);
    peaks.push(memory().hwm);
    progress(`run ${r}`);
    const check = (forward ? out.eps : basis ? out.grad_coef : out.grad_lora).data as Float32Array;
    finite &&= check.every(Number.isFinite);
  }
  const gpuWeightBytes = Object.values((await weights?.bytesBySource()) ?? {}).reduce((x, y) => x + y, 0);
  await session.release();
  await weights?.release();
  console.log(JSON.stringify({
    provider, gpu_weights_mib: provider === 'webgpu' ? gpuWeightBytes / 2 ** 20 : undefined,
    k: basis?.k, basis_storage: basis?.storage, basis_fill_ms: basis ? basisFillMs : undefined,
    build_ms: buildMs, session_ms: sessionMs, weights_ms: src.generateMs ?? 0, first_ms: times[0], times_ms: times.slice(1),
    step_peak_mib: Math.max(...peaks.slice(1)), first_peak_mib: peaks[0], setup_peak_mib: setupPeak, rss_after_mib: memory().rss, finite,
    nodes: graph.nodes.length, fused_attention: graph.nodes.filter((n) => n.op === 'MultiHeadAttention').length,
    conv_transpose: graph.nodes.filter((n) => n.op === 'ConvTranspose').length, threads: ortOptions.intraOpNumThreads, ort: ortOptions,
  }));
}

if (isEntry(import.meta.url)) await ortCase(process.argv.slice(2));
