// Node entry to the runtime: onnxruntime-node (CPU). Only imported by the CLI, tests and bench.
import * as ortNode from 'onnxruntime-node';
import type { Graph } from '../graph/ir';
import { convTransposeAsConv } from './conv-transpose-as-conv';
import { fuseAttention } from './fuse-attention';
import { EngineSession, type OrtModule, type SessionOptions } from './session';

export const nodeOrt = ortNode as unknown as OrtModule;

export interface NodeSessionOptions extends SessionOptions {
  /** Skip the CPU rewrites (attention fusion, ConvTranspose as Conv): the graph runs as built. */
  asBuilt?: boolean;
  /**
   * 'fast' (default): onnxruntime's full optimization — weights folded and re-laid out per kernel, so a
   * gradient graph holds about two copies of each weight. 'low': one copy — no constant folding, no
   * blocked (NCHWc) layout, no prepacking, and the Conv VJP stays a ConvTranspose of the forward weight;
   * slower, for machines where the model barely fits (see bench/RESULTS.md).
   */
  memory?: 'fast' | 'low';
}

/**
 * onnxruntime's CPU memory arena grows in power-of-two steps and keeps what it took: with the full-size
 * UNet's gradient graph it passed 20 GB; plain allocations peak at what is live (see bench/RESULTS.md).
 */
const CPU_DEFAULTS = { enableCpuMemArena: false, enableMemPattern: false };
const LOW_MEMORY = {
  graphOptimizationLevel: 'extended',
  extra: { session: { disable_prepacking: '1' }, optimization: { disable_specified_optimizers: 'ConstantFolding' } },
};

export const createNodeSession = (graph: Graph, opts: NodeSessionOptions = {}): Promise<EngineSession> => {
  const low = opts.memory === 'low';
  if (!opts.asBuilt) {
    fuseAttention(graph);
    if (!low) convTransposeAsConv(graph);
  }
  return EngineSession.create(nodeOrt, graph, {
    executionProviders: ['cpu'],
    ...opts,
    ortOptions: { ...CPU_DEFAULTS, ...(low ? LOW_MEMORY : {}), ...opts.ortOptions },
  });
};
