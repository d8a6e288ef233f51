// Node entry to the runtime: onnxruntime-node (CPU). Only imported by the CLI, tests and bench.
import * as ortNode from 'onnxruntime-node';
import type { Graph } from '../graph/ir';
import { fuseAttention } from './fuse-attention';
import { EngineSession, type OrtModule, type SessionOptions } from './session';

export const nodeOrt = ortNode as unknown as OrtModule;

export interface NodeSessionOptions extends SessionOptions {
  /** Keep attention unfused (default: fused into com.microsoft.MultiHeadAttention where possible). */
  unfusedAttention?: boolean;
}

export const createNodeSession = (graph: Graph, opts: NodeSessionOptions = {}): Promise<EngineSession> => {
  if (!opts.unfusedAttention) fuseAttention(graph);
  return EngineSession.create(nodeOrt, graph, { executionProviders: ['cpu'], ...opts });
};
