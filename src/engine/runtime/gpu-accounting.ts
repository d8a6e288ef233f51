// GPU memory accounting for tests and reports: wraps createBuffer/destroy on the device onnxruntime uses,
// so every live buffer is counted by purpose — weight buffers by their label (gpu-weights.ts), everything
// else onnxruntime allocates (activations, its buffer cache, the basis' initializers) as "onnxruntime".
import { WEIGHT_LABEL, type GpuBufferLike } from './gpu-weights';

interface TrackableDevice {
  createBuffer(d: { size: number; usage: number; label?: string }): GpuBufferLike;
}

export interface GpuMemoryReport {
  /** Live bytes of weight buffers per source file. */
  weights: Record<string, number>;
  /** Live bytes of every other buffer created since tracking began. */
  other: number;
  /** The most bytes live at once since tracking began. */
  peak: number;
}

const tracked = new WeakMap<object, () => GpuMemoryReport>();

/** Starts counting the device's buffers (once per device); returns the report function. */
export function trackGpuBuffers(device: TrackableDevice): () => GpuMemoryReport {
  const existing = tracked.get(device);
  if (existing) return existing;
  const live = new Map<GpuBufferLike, { size: number; label: string }>();
  let now = 0;
  let peak = 0;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (d) => {
    const buffer = create(d);
    const destroy = buffer.destroy.bind(buffer);
    live.set(buffer, { size: buffer.size, label: d.label ?? '' });
    now += buffer.size;
    peak = Math.max(peak, now);
    buffer.destroy = () => {
      const entry = live.get(buffer);
      if (entry) now -= entry.size;
      live.delete(buffer);
      destroy();
    };
    return buffer;
  };
  const report = (): GpuMemoryReport => {
    const weights: Record<string, number> = {};
    let other = 0;
    for (const { size, label } of live.values()) {
      if (label.startsWith(WEIGHT_LABEL)) weights[label.slice(WEIGHT_LABEL.length)] = (weights[label.slice(WEIGHT_LABEL.length)] ?? 0) + size;
      else other += size;
    }
    return { weights, other, peak };
  };
  tracked.set(device, report);
  return report;
}
