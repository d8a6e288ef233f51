// Seeded random weights for a full-size UNet without any download: the names and shapes of the hub
// checkpoint, values drawn as torch.nn's default init draws them (weights and biases uniform in
// ±1/√fan_in, norm scales 1 and shifts 0), so activations stay in range as in the PyTorch baseline.
import { float32ToHalf } from '../src/engine/io/half';
import type { TensorSource } from '../src/engine/models/params';

/** A small fast generator (mulberry32) per tensor, seeded from the run seed and the tensor's name. */
function generator(seed: number, name: string): () => number {
  let s = seed >>> 0;
  for (let i = 0; i < name.length; i++) s = Math.imul(s ^ name.charCodeAt(i), 0x9e3779b1) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomSource extends TensorSource {
  /** Milliseconds spent generating values so far (kept out of session-creation time). */
  readonly generateMs: number;
}

export function randomSource(name: string, shapes: ReadonlyMap<string, readonly number[]>, seed: number): RandomSource {
  let generateMs = 0;
  const values = (key: string): Float32Array => {
    const t0 = performance.now();
    const shape = shapes.get(key);
    if (!shape) throw new Error(`${name}: no tensor ${key}`);
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const weightShape = key.endsWith('.bias') ? shapes.get(key.slice(0, -5) + '.weight') : shape;
    if (!weightShape || weightShape.length === 1) {
      // Norm layers: scale 1, shift 0.
      if (key.endsWith('.weight')) out.fill(1);
    } else {
      const bound = 1 / Math.sqrt(weightShape.slice(1).reduce((a, b) => a * b, 1));
      const next = generator(seed, key);
      for (let i = 0; i < out.length; i++) out[i] = (2 * next() - 1) * bound;
    }
    generateMs += performance.now() - t0;
    return out;
  };
  return {
    name,
    keys: () => [...shapes.keys()],
    info: (k) => ({ dtype: 'F32', shape: shapes.get(k)! }),
    readFloat32: async (k) => values(k),
    readFloat16Bits: async (k) => {
      const v = values(k);
      const t0 = performance.now();
      const h = float32ToHalf(v);
      generateMs += performance.now() - t0;
      return h;
    },
    get generateMs() {
      return generateMs;
    },
  };
}
