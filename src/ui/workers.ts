// The two workers: the engine (models, sessions, generation) and the space (basis, identities, library).
// Comlink turns their exposed objects into async proxies. The engine worker is replaced by a fresh one when
// its GPU device is lost (actions/device.ts); calls still waiting on the old one then fail with EngineRestarted.
import * as Comlink from 'comlink';
import type { EngineApi } from '../../workers/protocol';
import type { SessionEvent } from '../engine/sd/stable-diffusion';
import type { SpaceApi } from '../../workers/protocol';

/** A call that was in flight on an engine worker that has since been terminated. */
export class EngineRestarted extends Error {
  constructor() {
    super('the engine worker was restarted (GPU device lost)');
  }
}

interface Engine {
  worker: Worker;
  /** `remote` whose calls also reject once the worker is stopped (a terminated worker never answers). */
  api: Comlink.Remote<EngineApi>;
  stop(): void;
}

let engine: Engine | undefined;
let generation = 0;
let space: Comlink.Remote<SpaceApi> | undefined;
let lostHandler: ((reason: string, generation: number) => void) | undefined;
let sessionHandler: ((e: SessionEvent) => void) | undefined;

/** Test hooks (destroying the GPU device) exist only on pages opened with `?testHooks=1`. */
export const testHooksOn = (search = location.search) => new URLSearchParams(search).get('testHooks') === '1';

function startEngine(): Engine {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  const remote = Comlink.wrap<EngineApi>(worker);
  let stop!: () => void;
  const stopped = new Promise<never>((_, reject) => (stop = () => reject(new EngineRestarted())));
  stopped.catch(() => undefined);
  const api = new Proxy(remote, {
    get(target, name) {
      // Comlink's own symbols, and no `then`: the proxy is not a promise.
      if (typeof name === 'symbol' || name === 'then') return Reflect.get(target, name);
      const method = Reflect.get(target, name) as (...a: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => Promise.race([method(...args), stopped]);
    },
  });
  const gen = ++generation;
  void remote.watchDeviceLoss(Comlink.proxy((reason: string) => lostHandler?.(reason, gen)));
  void remote.watchSessions(Comlink.proxy((e: SessionEvent) => sessionHandler?.(e)));
  if (testHooksOn()) void remote.enableTestHooks();
  return { worker, api, stop };
}

export function engineWorker(): Comlink.Remote<EngineApi> {
  engine ??= startEngine();
  return engine.api;
}

/** Which engine worker is current (1, 2, … as they are replaced); starts the first one. */
export function engineGeneration(): number {
  engineWorker();
  return generation;
}

/** Called as the engine worker starts and finishes building each session. */
export function setSessionHandler(h: (e: SessionEvent) => void): void {
  sessionHandler = h;
}

/** Called when the current engine worker reports its GPU device lost. */
export function setDeviceLostHandler(h: (reason: string, generation: number) => void): void {
  lostHandler = h;
}

/** Terminates the engine worker (its calls in flight reject with EngineRestarted); the next call starts a new one. */
export function restartEngine(): void {
  if (!engine) return;
  engine.stop();
  engine.worker.terminate();
  engine = undefined;
  engineWorker();
}

export function spaceWorker(): Comlink.Remote<SpaceApi> {
  space ??= Comlink.wrap<SpaceApi>(new Worker(new URL('../../workers/space.worker.ts', import.meta.url), { type: 'module', name: 'space' }));
  return space;
}

export { Comlink };
