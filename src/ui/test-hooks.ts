// `?testHooks=1` adds window.__w2wTest for the end-to-end tests; the engine worker refuses these calls otherwise.
import { engineWorker, testHooksOn } from './workers';

export function installTestHooks(): void {
  if (!testHooksOn()) return;
  (window as unknown as { __w2wTest: unknown }).__w2wTest = {
    /** Destroys the engine worker's GPU device, as a driver reset would. */
    destroyDevice: () => engineWorker().destroyDeviceForTest(),
    /** Live GPU buffer bytes by purpose (weights per file, the rest onnxruntime holds). */
    gpuMemory: () => engineWorker().gpuMemoryForTest(),
    /** The model cache's storage accepts `bytes` more, then writes come back short. */
    limitWrites: (bytes: number) => engineWorker().limitWritesForTest(bytes),
    /** Lifts the limit. */
    freeSpace: () => engineWorker().limitWritesForTest(null),
    /** Downloads of at least `bytes` probe the storage first. */
    probeDownloadsFrom: (bytes: number) => engineWorker().probeDownloadsFromForTest(bytes),
  };
}
