// The reference the build-space tests compare with: a dense float64 PCA of the standardized matrix, from
// the eigendecomposition of its N×N Gram matrix by cyclic two-sided Jacobi (a different method from the
// engine's randomized SVD), and the principal angles between two bases.

/** Eigenvalues (descending) and eigenvectors (columns, row-major n×n) of a symmetric n×n matrix. */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const e = new Float64Array(n * n);
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p], mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k], mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const ekp = e[k * n + p], ekq = e[k * n + q];
          e[k * n + p] = c * ekp - s * ekq;
          e[k * n + q] = s * ekp + c * ekq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y * n + y] - m[x * n + x]);
  const values = Float64Array.from(order, (i) => m[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((i, j) => {
    for (let k = 0; k < n; k++) vectors[k * n + j] = e[k * n + i];
  });
  return { values, vectors };
}

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
  const s = Float64Array.from(values.subarray(0, k), Math.sqrt);
  const v = new Float64Array(d * k);
  for (let j = 0; j < k; j++)
    for (let i = 0; i < n; i++) {
      const u = vectors[i * n + j] / s[j];
      for (let t = 0; t < d; t++) v[t * k + j] += u * z[i][t];
    }
  return { s, v, total };
}

/** The largest principal angle between the column spans of two d×k row-major bases (orthonormalized here). */
export function largestPrincipalAngle(a: ArrayLike<number>, b: ArrayLike<number>, d: number, k: number): number {
  const [qa, qb] = [orthonormal(a, d, k), orthonormal(b, d, k)];
  // M = Qaᵀ Qb; cos of the angles = singular values of M; sin² of the largest = 1 − λ_min(MᵀM).
  const m = new Float64Array(k * k);
  for (let t = 0; t < d; t++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) m[i * k + j] += qa[t * k + i] * qb[t * k + j];
  const mtm = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let l = 0; l < k; l++) mtm[i * k + j] += m[l * k + i] * m[l * k + j];
  const { values } = symmetricEigen(mtm, k);
  return Math.asin(Math.sqrt(Math.max(0, 1 - values[k - 1])));
}

function orthonormal(a: ArrayLike<number>, d: number, k: number): Float64Array {
  const q = Float64Array.from(a as ArrayLike<number>);
  for (let j = 0; j < k; j++)
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += q[t * k + i] * q[t * k + j];
        for (let t = 0; t < d; t++) q[t * k + j] -= s * q[t * k + i];
      }
      let nn = 0;
      for (let t = 0; t < d; t++) nn += q[t * k + j] ** 2;
      for (let t = 0; t < d; t++) q[t * k + j] /= Math.sqrt(nn);
    }
  return q;
}
