// Node entry to the runtime: onnxruntime-node (CPU). Only imported by the CLI, tests and bench.
import * as ortNode from 'onnxruntime-node';
import type { Graph } from '../graph/ir';
import { EngineSession, type OrtModule, type SessionOptions } from './session';

export const nodeOrt = ortNode as unknown as OrtModule;

export const createNodeSession = (graph: Graph, opts: SessionOptions = {}): Promise<EngineSession> =>
  EngineSession.create(nodeOrt, graph, { executionProviders: ['cpu'], ...opts });
