// The conformance run in a module worker, where the app's engine runs too.
import * as Comlink from 'comlink';
import { runConformance } from './run';

const api = { runConformance };
export type ConformanceWorker = typeof api;

Comlink.expose(api);
