// Small dense linear algebra in float64 for the pullback directions: vectors are Float64Arrays, a basis is
// an array of them. Sizes here are a block of ≤ ~64 vectors of any length, so O(n²·dim) is cheap.

export type Vec = Float64Array;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/** a += s·b in place. */
export function axpy(a: Vec, s: number, b: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) a[i] += s * b[i];
}

/** Σⱼ basis[j]·coefs[j]. */
export function combine(basis: readonly ArrayLike<number>[], coefs: ArrayLike<number>): Vec {
  const out = new Float64Array(basis[0].length);
  basis.forEach((b, j) => axpy(out, coefs[j], b));
  return out;
}

/**
 * An orthonormal basis of span(vs) in order (modified Gram–Schmidt, twice for float64 orthogonality).
 * Throws when the vectors are (numerically) dependent: an iteration that loses rank has nothing to say.
 */
export function orthonormalize(vs: readonly ArrayLike<number>[]): Vec[] {
  const out: Vec[] = [];
  for (const v of vs) {
    const w = Float64Array.from(v);
    const n0 = norm(w);
    for (let pass = 0; pass < 2; pass++) for (const q of out) axpy(w, -dot(q, w), q);
    const n = norm(w);
    if (!(n > 1e-12 * n0)) throw new Error(`orthonormalize: vector ${out.length} is linearly dependent on the previous ones`);
    out.push(w.map((x) => x / n));
  }
  return out;
}

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major, n small) by cyclic Jacobi rotations:
 * eigenvalues in descending order and the matching unit eigenvectors.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): { values: number[]; vectors: Vec[] } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        total += m[i * n + j] ** 2;
        if (i !== j) off += m[i * n + j] ** 2;
      }
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j] - m[i * n + i]);
  return {
    values: order.map((i) => m[i * n + i]),
    vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => v[k * n + i])),
  };
}

/** The Gram matrix Aᵀ B (row-major, |a|×|b|). */
export function gram(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): Float64Array {
  const g = new Float64Array(a.length * b.length);
  a.forEach((x, i) => b.forEach((y, j) => (g[i * b.length + j] = dot(x, y))));
  return g;
}

/**
 * Principal angles (radians, ascending) between span(a) and span(b), equal dimensions: from the singular
 * values of QaᵀQb, computed as the square roots of the eigenvalues of (QaᵀQb)ᵀ(QaᵀQb).
 */
export function principalAngles(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number[] {
  if (a.length !== b.length) throw new Error(`principalAngles: ${a.length} vs ${b.length} vectors`);
  const qa = orthonormalize(a);
  const qb = orthonormalize(b);
  const n = qa.length;
  const c = gram(qa, qb);
  const ctc = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += c[k * n + i] * c[k * n + j];
      ctc[i * n + j] = s;
    }
  // sin²θ = 1 − cos²θ loses nothing in float64 down to θ ≈ 1e-7.
  return symmetricEigen(ctc, n).values.map((c2) => Math.asin(Math.sqrt(Math.min(1, Math.max(0, 1 - c2)))));
}
