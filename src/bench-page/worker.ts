// The benchmark in a module worker, where the app's engine runs too (OPFS reads and onnxruntime-web live here).
import * as Comlink from 'comlink';
import { locate, runBench } from './run';

const api = { locate, runBench };
export type BenchWorker = typeof api;

Comlink.expose(api);
