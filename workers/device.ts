// A lost GPU device (driver reset, GPU process crash, the OS reclaiming it) kills every onnxruntime-web session
// on it. The engine worker watches the device its WebGPU sessions run on, treats a failed call that comes with
// (or names) a lost device the same way, drops its model, and tells the page, which starts a fresh engine
// worker and resumes the job (src/ui/actions/device.ts). A fresh worker rather than new sessions in this one:
// onnxruntime-web 1.30 does make a new device once every session on the old one is released, but only by an
// undocumented rule, and a loss mid-call can leave its wasm instance half-way through a run.
import { trackGpuBuffers, type GpuMemoryReport } from '../src/engine/runtime/gpu-accounting';
import { webgpuDevice, type GpuDeviceLike } from '../src/engine/runtime/web';
import { requireTestHooks, testHooksEnabled } from './test-hooks';

import { DEVICE_LOST } from './protocol';

export { DEVICE_LOST };

let watched: GpuDeviceLike | undefined;
let lostReason: string | undefined;
let notifyPage: ((reason: string) => void) | undefined;
let dropModel: (() => void) | undefined;
let gpuMemory: (() => GpuMemoryReport) | undefined;
// Calls in flight, and what waits for none to be (a session is not released in the middle of its run).
let active = 0;
const idle: (() => void)[] = [];

function declareLost(reason: string): void {
  if (lostReason !== undefined) return;
  lostReason = reason;
  dropModel?.();
  notifyPage?.(reason);
}

/** Once a WebGPU session exists: watch the device it runs on. */
export async function watchDevice(): Promise<void> {
  const device = await webgpuDevice();
  if (!device || device === watched) return;
  watched = device;
  void device.lost.then((info) => declareLost(`${info.reason}: ${info.message}`));
  if (testHooksEnabled()) trackMemory();
}

/** Counts the device's buffers by purpose from now on (test hooks only: it wraps createBuffer). */
function trackMemory(): void {
  if (watched) gpuMemory = trackGpuBuffers(watched as unknown as Parameters<typeof trackGpuBuffers>[0]);
}

/** Why the device was lost, if it was. */
export const deviceLost = (): string | undefined => lostReason;

/** `drop` forgets the model (its sessions are dead) the moment the loss is known. */
export function onDeviceLost(drop: () => void): void {
  dropModel = drop;
}

/** Runs `f` once no call of the worker's API is in flight. */
export function whenIdle(f: () => void): void {
  if (active === 0) f();
  else idle.push(f);
}

const message = (e: unknown) => (e as Error)?.message ?? String(e);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether an error came from losing the device (waits a moment: `lost` settles just after the failed call). */
async function lossBehind(e: unknown): Promise<boolean> {
  if (!watched) return false;
  if (lostReason === undefined && /device (is |was |has been )?(lost|destroyed)/i.test(message(e))) declareLost(message(e));
  // A run on a device going away fails with whatever its last call saw (e.g. "mapAsync … unmapped").
  if (lostReason === undefined) await Promise.race([watched.lost, sleep(2000)]);
  return lostReason !== undefined;
}

/** Every method of `api`, with failures caused by a lost device rethrown as "GPU device lost: …". */
export function guardDeviceLoss<T extends object>(api: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(api)) {
    out[name] = typeof f !== 'function' ? f : async (...args: unknown[]) => {
      active++;
      try {
        return await f(...args);
      } catch (e) {
        if (await lossBehind(e)) throw new Error(`${DEVICE_LOST} (${lostReason}) during ${name}: ${message(e)}`);
        throw e;
      } finally {
        if (--active === 0) for (const g of idle.splice(0)) g();
      }
    };
  }
  return out as T;
}

/** The page's side: told once when the device is lost; the test hook only when the page has `?testHooks=1`. */
export const deviceApi = {
  watchDeviceLoss(cb: (reason: string) => void): void {
    notifyPage = cb;
    if (lostReason !== undefined) cb(lostReason);
  },

  /** Test only: live GPU buffer bytes by purpose (weights per file, everything else onnxruntime holds). */
  gpuMemoryForTest(): GpuMemoryReport {
    requireTestHooks();
    if (!gpuMemory) throw new Error('no WebGPU session yet: no GPU memory to report');
    return gpuMemory();
  },

  /** Test only: destroys the WebGPU sessions' device, as a driver reset would take it away. */
  destroyDeviceForTest(): void {
    requireTestHooks();
    if (!watched) throw new Error('no WebGPU session yet: nothing to destroy');
    watched.destroy();
  },
};
