// Weights held once on the GPU, in buffers on the device onnxruntime-web's WebGPU sessions run on, and fed
// to every session as `gpu-buffer` input tensors: a model's forward, gradient, preview and pullback graphs
// at any size share one copy. Each tensor is uploaded from its own bytes (never a whole file in one buffer).
import type { OrtTensor } from './session';
import type { WeightSpec } from './weight-inputs';
import { SingleWeightStore, type HeldWeight } from './weight-store';

// The WebGPU members used here (TypeScript's DOM library has no WebGPU types).
export interface GpuBufferLike {
  readonly size: number;
  destroy(): void;
}
export interface GpuDeviceForWeights {
  createBuffer(d: { size: number; usage: number; label?: string }): GpuBufferLike;
  readonly queue: { writeBuffer(b: GpuBufferLike, offset: number, data: ArrayBufferView): void };
  pushErrorScope(filter: 'out-of-memory'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/** A weight that did not fit in GPU memory (the device is fine; what was placed before stays). */
export class GpuOutOfMemory extends Error {
  constructor(readonly source: string, readonly bytes: number, detail: string) {
    super(`not enough GPU memory: ${(bytes / 2 ** 20).toFixed(0)} MiB more for ${source} did not fit (${detail})`);
    this.name = 'GpuOutOfMemory';
  }
}
interface OrtWithGpu {
  Tensor: { fromGpuBuffer(b: GpuBufferLike, o: { dataType: string; dims: readonly number[] }): OrtTensor };
}

// GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST: what onnxruntime's WebGPU kernels read inputs from.
const USAGE = 0x80 | 0x04 | 0x08;
/** The label prefix of weight buffers (GPU memory accounting groups by it). */
export const WEIGHT_LABEL = 'w2w weights: ';

export class GpuWeights extends SingleWeightStore {
  constructor(
    private readonly ort: OrtWithGpu,
    /** The device onnxruntime runs on; it exists once the first WebGPU session does (weights load at run time). */
    private readonly device: () => Promise<GpuDeviceForWeights>,
  ) {
    super();
  }

  protected async placeOne(w: WeightSpec, bytes: Uint8Array): Promise<HeldWeight> {
    const device = await this.device();
    // writeBuffer copies whole 4-byte words: a half tensor of odd length gets a padded copy.
    const size = Math.ceil(bytes.byteLength / 4) * 4;
    const data = size === bytes.byteLength ? bytes : new Uint8Array(size);
    if (data !== bytes) data.set(bytes);
    // An allocation that fails is an error in a scope, not an exception: without the scope it would surface
    // later as an invalid buffer in some kernel.
    device.pushErrorScope('out-of-memory');
    const buffer = device.createBuffer({ size, usage: USAGE, label: WEIGHT_LABEL + w.source });
    const oom = await device.popErrorScope();
    if (oom) {
      buffer.destroy();
      throw new GpuOutOfMemory(w.source, size, oom.message);
    }
    device.queue.writeBuffer(buffer, 0, data);
    const tensor = this.ort.Tensor.fromGpuBuffer(buffer, { dataType: w.dtype, dims: w.shape });
    return { tensor, bytes: size, dispose: () => buffer.destroy() };
  }
}
