// Node entry to the runtime: onnxruntime-node, on its CPU provider or its bundled WebGPU provider (Dawn over
// Vulkan). Only imported by the CLI, tests and bench.
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
  /**
   * 'cpu' (default) or 'webgpu'. WebGPU graphs run as built, like the browser's: the fused attention op gave
   * wrong values on the WebGPU provider (runtime notes) and the ConvTranspose rewrite is a CPU kernel matter.
   */
  provider?: NodeProvider;
}

export type NodeProvider = 'cpu' | 'webgpu';
export const NODE_PROVIDERS: readonly NodeProvider[] = ['cpu', 'webgpu'];

/**
 * onnxruntime's CPU memory arena grows in power-of-two steps and keeps what it took: with the full-size
 * UNet's gradient graph it passed 20 GB; plain allocations peak at what is live (see bench/RESULTS.md).
 */
const CPU_DEFAULTS = { enableCpuMemArena: false, enableMemPattern: false };
const LOW_MEMORY = {
  graphOptimizationLevel: 'extended',
  extra: { session: { disable_prepacking: '1' }, optimization: { disable_specified_optimizers: 'ConstantFolding' } },
};

export const createNodeSession = async (graph: Graph, opts: NodeSessionOptions = {}): Promise<EngineSession> => {
  if (opts.provider === 'webgpu') {
    try {
      // Severity 3: placement notes (shape ops on CPU, by design) are warnings; errors still throw.
      return await EngineSession.create(nodeOrt, graph, { executionProviders: ['webgpu'], ...opts, ortOptions: { logSeverityLevel: 3, ...opts.ortOptions } });
    } catch (e) {
      if (/No supported adapters|Failed to get a WebGPU adapter/.test((e as Error).message)) throw new Error(NO_ADAPTER);
      throw e;
    }
  }
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

/** What a machine without a Vulkan GPU driver gets: the WebGPU provider is Dawn over Vulkan. */
export const NO_ADAPTER =
  'no WebGPU adapter: onnxruntime-node\'s WebGPU provider needs a Vulkan driver. Without a GPU, Chromium\'s SwiftShader ' +
  'driver works: LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (fp32 only)';

/** The Vulkan environment of Chromium's SwiftShader driver, for child processes on machines without a GPU. */
export const SWIFTSHADER_VULKAN_ENV = {
  LD_LIBRARY_PATH: '/usr/lib/chromium',
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
};
