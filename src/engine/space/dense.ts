// Small dense linear algebra for building a space, float64, matrices column-major (column j of an m×n
// matrix at [j·m, (j + 1)·m)) so every step walks contiguous columns: QR by Gram–Schmidt applied twice
// ("twice is enough" for orthogonality to rounding), and the SVD of a small square matrix by one-sided
// (Hestenes) Jacobi, which is accurate to rounding in every singular value it returns.

export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[ao + i] * b[bo + i];
    s1 += a[ao + i + 1] * b[bo + i + 1];
  }
  if (i < n) s0 += a[ao + i] * b[bo + i];
  return s0 + s1;
}

/**
 * In place: the m×n matrix `a` becomes Q with orthonormal columns and the returned R (n×n, column-major,
 * upper triangular) has a = Q R. A column already in the span of the previous ones (norm below 1e-13 of
 * its original) becomes zero with a zero diagonal in R: a rank-deficient block stays exact.
 */
export function qr(a: Float64Array, m: number, n: number): Float64Array {
  const r = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    const before = Math.sqrt(dot(a, cj, a, cj, m));
    for (let pass = 0; pass < 2; pass++)
      for (let i = 0; i < j; i++) {
        const ci = i * m;
        const c = dot(a, ci, a, cj, m);
        if (c === 0) continue;
        for (let t = 0; t < m; t++) a[cj + t] -= c * a[ci + t];
        r[j * n + i] += c;
      }
    const norm = Math.sqrt(dot(a, cj, a, cj, m));
    if (norm <= 1e-13 * before || norm === 0) {
      a.fill(0, cj, cj + m);
      continue;
    }
    r[j * n + j] = norm;
    for (let t = 0; t < m; t++) a[cj + t] /= norm;
  }
  return r;
}

export interface Svd {
  /** m×n, column-major: left singular vectors (zero where σ = 0). */
  readonly u: Float64Array;
  /** n singular values, descending. */
  readonly s: Float64Array;
  /** n×n, column-major: right singular vectors. */
  readonly v: Float64Array;
}

/** SVD of an m×n matrix (m ≥ n, small n) by one-sided Jacobi rotations until every column pair is orthogonal. */
export function jacobiSvd(input: Float64Array, m: number, n: number, maxSweeps = 60): Svd {
  const a = Float64Array.from(input);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const rotate = (x: Float64Array, len: number, p: number, q: number, c: number, s: number) => {
    for (let t = 0, po = p * len, qo = q * len; t < len; t++) {
      const xp = x[po + t];
      const xq = x[qo + t];
      x[po + t] = c * xp - s * xq;
      x[qo + t] = s * xp + c * xq;
    }
  };
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const alpha = dot(a, p * m, a, p * m, m);
        const beta = dot(a, q * m, a, q * m, m);
        const gamma = dot(a, p * m, a, q * m, m);
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        rotate(a, m, p, q, c, c * t);
        rotate(v, n, p, q, c, c * t);
      }
    if (!rotated) break;
  }
  const s = Array.from({ length: n }, (_, j) => Math.sqrt(dot(a, j * m, a, j * m, m)));
  const order = s.map((_, j) => j).sort((x, y) => s[y] - s[x]);
  const out = { u: new Float64Array(m * n), s: new Float64Array(n), v: new Float64Array(n * n) };
  order.forEach((j, k) => {
    out.s[k] = s[j];
    if (s[j] > 0) for (let t = 0; t < m; t++) out.u[k * m + t] = a[j * m + t] / s[j];
    out.v.set(v.subarray(j * n, (j + 1) * n), k * n);
  });
  return out;
}
