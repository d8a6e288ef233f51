// The two workers, started once: the engine (models, sessions, generation) and the space (basis,
// identities, library). Comlink turns their exposed objects into async proxies.
import * as Comlink from 'comlink';
import type { EngineApi } from '../../workers/engine.worker';
import type { SpaceApi } from '../../workers/space.worker';

let engine: Comlink.Remote<EngineApi> | undefined;
let space: Comlink.Remote<SpaceApi> | undefined;

export function engineWorker(): Comlink.Remote<EngineApi> {
  engine ??= Comlink.wrap<EngineApi>(new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' }));
  return engine;
}

export function spaceWorker(): Comlink.Remote<SpaceApi> {
  space ??= Comlink.wrap<SpaceApi>(new Worker(new URL('../../workers/space.worker.ts', import.meta.url), { type: 'module', name: 'space' }));
  return space;
}

export { Comlink };
