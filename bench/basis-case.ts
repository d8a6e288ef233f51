// One inversion step's basis products on onnxruntime-node, in its own process: θ = (c V_kᵀ) ⊙ std + mean and
// ∂L/∂c = (∂L/∂θ ⊙ std) V_k with a synthetic V_k (D × k, D from the model's LoRA layout, k = 10000 as the
// photo preset), on the projector (one copy of V_k in a weight store, row blocks; one pass over V_k per product).
//   tsx bench/basis-case.ts --model sd15|tiny [--k K] [--runs N] [--threads T] [--provider cpu|webgpu] [--storage float32|float16]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseUNetConfig } from '../src/engine/io/config';
import { loraLayout } from '../src/engine/models/lora';
import { HostWeights } from '../src/engine/runtime/host-weights';
import { NodeGpuWeights } from '../src/engine/runtime/node-gpu-weights';
import { createNodeSession, nodeOrt, type NodeProvider } from '../src/engine/runtime/node';
import { basisBytes } from '../src/engine/space/basis-graph';
import { Projector } from '../src/engine/space/projector';
import { memory, resetPeak } from './memory';
import { MODELS } from './models';
import { isEntry } from './entry';
import { syntheticBasis } from './synthetic-basis';

/** One basis-products configuration (flags above); prints its JSON line. */
export async function basisCase(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'sd15' },
      k: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '2' },
      threads: { type: 'string', default: '2' },
      provider: { type: 'string', default: 'cpu' },
      storage: { type: 'string', default: 'float32' },
    },
  });
  const model = MODELS[a.model!];
  if (!model) throw new Error(`--model must be one of ${Object.keys(MODELS).join(', ')}`);
  const d = loraLayout(parseUNetConfig(JSON.parse(readFileSync(model.config, 'utf8')), model.config)).size;
  const k = Number(a.k);
  const provider: NodeProvider = a.provider === 'webgpu' ? 'webgpu' : 'cpu';

  const t0 = performance.now();
  const { v, std, mean } = syntheticBasis(d, k);
  const fillMs = performance.now() - t0;

  const ortOptions = { intraOpNumThreads: Number(a.threads), interOpNumThreads: 1 };
  // One copy of V_k for both products, held where the provider runs.
  const weights = provider === 'webgpu' ? new NodeGpuWeights(nodeOrt) : new HostWeights(nodeOrt);
  const storage = a.storage === 'float16' ? 'float16' : 'float32';
  const projector = Projector.create({ createSession: (g) => createNodeSession(g, { provider, ortOptions, weights }) }, { v, k, std, mean }, { storage });
  const c = Float32Array.from({ length: k }, (_, i) => Math.sin(i) * 0.1);
  const g = Float32Array.from({ length: d }, (_, i) => Math.cos(i) * 1e-3);
  const times: number[] = [];
  const peaks: number[] = [];
  let finite = true;
  const t1 = performance.now();
  for (let r = 0; r <= Number(a.runs); r++) {
    resetPeak();
    const s = performance.now();
    const theta = await projector.theta(c);
    const gc = await projector.gradCoef(g);
    times.push(performance.now() - s);
    peaks.push(memory().hwm);
    finite &&= theta.every(Number.isFinite) && gc.every(Number.isFinite);
  }
  await projector.release();
  await weights.release();
  console.log(JSON.stringify({
    provider, storage, d, k, v_mib: basisBytes(d, k, storage) / 2 ** 20, fill_ms: fillMs, first_ms: times[0], session_and_first_ms: times[0] + (performance.now() - t1 - times.reduce((p, q) => p + q, 0)),
    times_ms: times.slice(1), step_peak_mib: Math.max(...peaks.slice(1)), finite,
  }));
}

if (isEntry(import.meta.url)) await basisCase(process.argv.slice(2));
