// Weights held once in JS memory and fed to CPU sessions as input tensors (onnxruntime-node reads CPU
// inputs in place, so every session shares this copy).
import type { OrtModule, OrtTensor } from './session';
import type { WeightSpec } from './weight-inputs';
import { SingleWeightStore, type HeldWeight } from './weight-store';

/** A weight's bytes as an onnxruntime CPU tensor (a view, no copy unless misaligned). */
export function weightTensor(ort: OrtModule, w: WeightSpec, bytes: Uint8Array): OrtTensor {
  if (w.dtype !== 'float16' && w.dtype !== 'float32') throw new Error(`weight ${w.name} (${w.source}): ${w.dtype} weights are not supported`);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const data = w.dtype === 'float16'
    ? new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2)
    : new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  return new ort.Tensor(w.dtype, data, w.shape);
}

export class HostWeights extends SingleWeightStore {
  constructor(
    private readonly ort: OrtModule,
    /** Sources held here (default all); e.g. only a space's V_k, leaving model weights to be packed per session. */
    readonly binds?: (source: string) => boolean,
  ) {
    super();
  }

  protected placeOne(w: WeightSpec, bytes: Uint8Array): HeldWeight {
    return { tensor: weightTensor(this.ort, w, bytes), bytes: bytes.byteLength, dispose: () => undefined };
  }
}
