// The reference the build-space tests compare with: a dense float64 PCA of the standardized matrix from the
// eigendecomposition of its N×N Gram matrix (two-sided Jacobi, the pullback code's `symmetricEigen`: a
// different method and code from the build's randomized SVD), and principal angles between bases.
import { principalAngles, symmetricEigen } from '../../src/engine/pullback/linalg';

/** PCA of the rows standardized by their float64 mean and unbiased std: top-k singular values, V (D×k row-major), ‖Z‖². */
export function densePca(rows: readonly Float32Array[], k: number): { s: Float64Array; v: Float64Array; total: number } {
  const n = rows.length;
  const d = rows[0].length;
  const z = rows.map(() => new Float64Array(d));
  for (let t = 0; t < d; t++) {
    let mu = 0;
    for (const r of rows) mu += r[t];
    mu /= n;
    let ss = 0;
    for (const r of rows) ss += (r[t] - mu) ** 2;
    const sd = Math.sqrt(ss / (n - 1)) || 1;
    rows.forEach((r, i) => (z[i][t] = (r[t] - mu) / sd));
  }
  const gram = new Float64Array(n * n);
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += z[i][t] * z[j][t];
      gram[i * n + j] = gram[j * n + i] = s;
      if (i === j) total += s;
    }
  const { values, vectors } = symmetricEigen(gram, n);
  const s = Float64Array.from(values.slice(0, k), Math.sqrt);
  // v_j = Zᵀ u_j / s_j
  const v = new Float64Array(d * k);
  for (let j = 0; j < k; j++)
    for (let i = 0; i < n; i++) {
      const u = vectors[j][i] / s[j];
      for (let t = 0; t < d; t++) v[t * k + j] += u * z[i][t];
    }
  return { s, v, total };
}

/** The largest principal angle between the column spans of two d×k row-major bases. */
export function largestPrincipalAngle(a: ArrayLike<number>, b: ArrayLike<number>, d: number, k: number): number {
  const columns = (m: ArrayLike<number>) => Array.from({ length: k }, (_, j) => Float64Array.from({ length: d }, (_, t) => m[t * k + j]));
  return Math.max(...principalAngles(columns(a), columns(b)));
}
