// Small random spaces for unit tests: V with orthonormal columns (so θ → c → θ is exact inside the span),
// std with negative entries as the released std.pt has, labels in either convention.
import { toBlocks } from '../../src/engine/io/row-blocks';
import { Rng } from '../../src/engine/sd/random';
import { columnStats, matVec } from '../../src/engine/space/math';
import { Space } from '../../src/engine/space/space';

export function orthonormalColumns(rows: number, cols: number, rng: Rng): Float32Array {
  const q: Float64Array[] = [];
  for (let c = 0; c < cols; c++) {
    const x = Float64Array.from(rng.normals(rows));
    for (const p of q) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i] * p[i];
      for (let i = 0; i < rows; i++) x[i] -= s * p[i];
    }
    const n = Math.hypot(...x);
    q.push(x.map((v) => v / n));
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = q[c][r];
  return out;
}

/** A pseudo-inverse stand-in: any n×M matrix works for checking pinverse @ labels. */
export function syntheticSpace(opts: { d?: number; k?: number; pcs?: number; models?: number; seed?: number; labels?: '01' | 'pm1'; maxBlockBytes?: number } = {}): Space {
  const { d = 200, k = 12, pcs = 8, models = 30, seed = 1, labels = 'pm1' } = opts;
  const rng = new Rng(seed);
  const v = orthonormalColumns(d, k, rng);
  const mean = rng.normals(d).map((x) => x * 0.1);
  const std = rng.normals(d).map((x) => (x < 0 ? -0.5 : 0.5) + 0.2 * x);
  const proj = rng.normals(models * pcs).map((x, i) => x * (1 + (i % pcs)));
  const pinv = rng.normals(pcs * models).map((x) => x * 1e-2);
  const columns = new Map<string, Float32Array>();
  for (const name of ['Male', 'Young', 'Eyeglasses'])
    columns.set(name, Float32Array.from({ length: models }, () => (rng.uniform() < 0.5 ? (labels === '01' ? 0 : -1) : 1)));
  const directions = new Map([...columns].map(([c, y]) => [c, matVec(pinv, pcs, models, y)]));
  const { mean: projMean, std: projStd } = columnStats(proj, models, pcs);
  return new Space({
    mean, std, v: toBlocks(v, k, opts.maxBlockBytes), k, components: k, pcs, proj, projMean, projStd, directions,
    labels: { index: Array.from({ length: models }, (_, i) => `model_${i}`), columns },
  });
}
