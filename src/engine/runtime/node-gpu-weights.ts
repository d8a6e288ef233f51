// Weights held once on the GPU by onnxruntime-node's WebGPU provider. Node has no GPUBuffer to hand over,
// so an upload session (weights in, the same weights out, outputs kept as 'gpu-buffer') puts a batch of
// weights on the device; its GPU outputs then feed every session. The output buffers belong to the upload
// session, which therefore lives as long as the store.
import { createGraph } from '../graph/ops/index';
import { exportOnnx } from '../graph/onnx';
import { DTYPE_BYTES, numel } from '../graph/dtype';
import { weightTensor } from './host-weights';
import type { OrtModule, OrtSession, OrtTensor } from './session';
import type { WeightSpec } from './weight-inputs';
import { WeightStore, type HeldWeight } from './weight-store';

/** Bytes of CPU copies one upload batch holds at once. */
const BATCH_BYTES = 256 * 2 ** 20;

export class NodeGpuWeights extends WeightStore {
  private readonly uploads: OrtSession[] = [];

  constructor(private readonly ort: OrtModule) {
    super();
  }

  protected async place(specs: readonly WeightSpec[]): Promise<HeldWeight[]> {
    const out: HeldWeight[] = [];
    for (let start = 0; start < specs.length; ) {
      let end = start;
      let bytes = 0;
      do bytes += byteSize(specs[end++]);
      while (end < specs.length && bytes + byteSize(specs[end]) <= BATCH_BYTES);
      out.push(...(await this.upload(specs.slice(start, end))));
      start = end;
    }
    return out;
  }

  private async upload(batch: readonly WeightSpec[]): Promise<HeldWeight[]> {
    const g = createGraph('upload');
    batch.forEach((w, i) => g.output(g.input(`w${i}`, w.dtype, w.shape), `gpu${i}`));
    const session = await this.ort.InferenceSession.create(exportOnnx(g).model, {
      executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer',
    });
    this.uploads.push(session);
    const feeds: Record<string, OrtTensor> = {};
    for (const [i, w] of batch.entries()) feeds[`w${i}`] = weightTensor(this.ort, w, await w.load());
    const result = await session.run(feeds);
    return batch.map((w, i) => {
      const tensor = result[`gpu${i}`];
      return { tensor, bytes: byteSize(w), dispose: () => tensor.dispose?.() };
    });
  }

  protected override async releaseRest(): Promise<void> {
    await Promise.all(this.uploads.splice(0).map((s) => s.release()));
  }
}

const byteSize = (w: WeightSpec) => numel(w.shape) * DTYPE_BYTES[w.dtype];
