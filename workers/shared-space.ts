// A space's arrays moved into SharedArrayBuffers, so the engine worker (inversion needs θ(c) and ∂L/∂c
// synchronously in its loop) reads the very basis the space worker owns: one copy of V_k in memory. V_k's
// row blocks (≤ 1 GiB each) are allocated shared from the start (sharedAlloc), so they are never copied.
import type { SpaceData } from '../src/engine/space/space';

function shared(a: Float32Array): Float32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

const canShare = () => typeof SharedArrayBuffer !== 'undefined' && !!globalThis.crossOriginIsolated;

/** Allocator for V_k's blocks: shared memory when the page is cross-origin isolated, else plain arrays. */
export function sharedAlloc(): ((n: number) => Float32Array) | undefined {
  return canShare() ? (n) => new Float32Array(new SharedArrayBuffer(4 * n)) : undefined;
}

const sharedMap = (m: ReadonlyMap<string, Float32Array>) => new Map([...m].map(([k, v]) => [k, shared(v)]));

/** The same space over shared memory (the page is cross-origin isolated); falls back to copies if not. */
export function shareSpace(d: SpaceData): SpaceData {
  if (!canShare()) return d;
  return {
    ...d, mean: shared(d.mean), std: shared(d.std), v: d.v.map(shared), proj: shared(d.proj), projMean: shared(d.projMean),
    projStd: shared(d.projStd), directions: sharedMap(d.directions), labels: { index: d.labels.index, columns: sharedMap(d.labels.columns) },
  };
}
