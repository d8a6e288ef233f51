// Reference computations for the pullback tests: a dense Jacobian built column by column with JVPs (J·eⱼ)
// and its top singular pairs from the smaller Gram matrix; fourth-order finite differences.
import { symmetricEigen, type Vec } from '../../src/engine/pullback/linalg';
import type { MidJacobian } from '../../src/engine/pullback/jacobian';

/** Columns J·eⱼ for j < jac.dim. */
export async function denseColumns(jac: MidJacobian): Promise<Vec[]> {
  const basis = Array.from({ length: jac.dim }, (_, j) => {
    const e = new Float64Array(jac.dim);
    e[j] = 1;
    return e;
  });
  return jac.jvp(basis);
}

/** Top n singular values and unit right-singular vectors of J given by its columns (m rows). */
export function topSingular(columns: readonly Vec[], n: number): { values: number[]; vectors: Vec[] } {
  const dim = columns.length;
  const m = columns[0].length;
  // J Jᵀ (m×m) when m < dim, else Jᵀ J (dim×dim).
  if (m < dim) {
    const jjt = new Float64Array(m * m);
    for (const c of columns) for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) jjt[a * m + b] += c[a] * c[b];
    const { values, vectors } = symmetricEigen(jjt, m);
    const sv = values.slice(0, n).map((l) => Math.sqrt(Math.max(l, 0)));
    // vᵢ = Jᵀ uᵢ / σᵢ.
    return { values: sv, vectors: vectors.slice(0, n).map((u, i) => Float64Array.from(columns, (c) => c.reduce((s, x, a) => s + x * u[a], 0) / sv[i])) };
  }
  const jtj = new Float64Array(dim * dim);
  columns.forEach((ci, i) => columns.forEach((cj, j) => (jtj[i * dim + j] = ci.reduce((s, x, a) => s + x * cj[a], 0))));
  const { values, vectors } = symmetricEigen(jtj, dim);
  return { values: values.slice(0, n).map((l) => Math.sqrt(Math.max(l, 0))), vectors: vectors.slice(0, n) };
}

/** Fourth-order central difference of a float32 map along a direction: (8(f(s)−f(−s)) − (f(2s)−f(−2s)))/12s. */
export async function fourthOrderDiff(f: (s: number) => Promise<Float32Array>, step: number): Promise<Float32Array> {
  const [a, b, c, d] = [await f(step), await f(-step), await f(2 * step), await f(-2 * step)];
  return a.map((p, i) => (8 * (p - b[i]) - (c[i] - d[i])) / (12 * step));
}
