// The w2w space's linear algebra in plain loops over row-major Float32Arrays (tfjs-core ships no kernels
// without a backend package, and these are single matrix-vector products: one pass over V_k each).
// V_k is D×k row-major (a row per LoRA parameter) held as row blocks (RowBlocks: k = 10000 is 3.99 GB, more
// than one ArrayBuffer), and both products stream through the blocks in order. Every sum is taken in the
// same order whatever the cut, so the results do not depend on the block size.
import { checkBlocks, type RowBlocks } from '../io/row-blocks';

/** Σ a[offset + i]·b[i] for i < n, in float64, always summed in the same order. */
export function dotAt(a: Float32Array, offset: number, b: Float64Array, n: number): number {
  // Four partial sums: independent adds pipeline (measured ~25% faster than one).
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[offset + i] * b[i];
    s1 += a[offset + i + 1] * b[i + 1];
    s2 += a[offset + i + 2] * b[i + 2];
    s3 += a[offset + i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[offset + i] * b[i];
  return s0 + s1 + s2 + s3;
}

/** θ = (c @ V_kᵀ) ⊙ std + mean. `c` may be shorter than k (missing coefficients are 0). */
export function coefToTheta(c: ArrayLike<number>, v: RowBlocks, k: number, std: Float32Array, mean: Float32Array): Float32Array {
  if (c.length > k) throw new Error(`coefficient vector has ${c.length} entries, the space holds only ${k} components`);
  const d = mean.length;
  checkBlocks(v, d, k, 'V_k');
  const cc = Float64Array.from(c);
  const n = cc.length;
  const out = new Float32Array(d);
  let j = 0;
  for (const block of v) {
    for (let row = 0; row < block.length; row += k, j++) {
      out[j] = dotAt(block, row, cc, n) * std[j] + mean[j];
    }
  }
  return out;
}

/** xᵀ V_k for x of length D: the k-vector Σ_j x_j V[j, :]. */
export function projectRows(x: ArrayLike<number>, v: RowBlocks, k: number): Float32Array {
  checkBlocks(v, x.length, k, 'V_k');
  const acc = new Float64Array(k);
  // Two rows per pass over the accumulator: half the accumulator traffic (measured ~2× faster). Pairs are
  // rows (2m, 2m+1) globally; a pair cut by a block boundary takes its rows from the two blocks.
  let j = 0;
  let held: Float32Array | null = null; // the last block's unpaired row
  for (const block of v) {
    let r = 0;
    if (held) {
      pair(acc, k, x[j - 1], held, 0, x[j], block, 0);
      held = null;
      r = k;
      j++;
    }
    for (; r + k < block.length; r += 2 * k, j += 2) pair(acc, k, x[j], block, r, x[j + 1], block, r + k);
    if (r < block.length) {
      held = block.subarray(r, r + k);
      j++;
    }
  }
  if (held) for (let i = 0, xj = x[j - 1]; i < k; i++) acc[i] += xj * held[i];
  return Float32Array.from(acc);
}

function pair(acc: Float64Array, k: number, x0: number, a0: Float32Array, r0: number, x1: number, a1: Float32Array, r1: number): void {
  for (let i = 0; i < k; i++) acc[i] += x0 * a0[r0 + i] + x1 * a1[r1 + i];
}

/** c = ((θ − mean) / std) @ V_k (std as stored, negative entries included). */
export function thetaToCoef(theta: ArrayLike<number>, v: RowBlocks, k: number, std: Float32Array, mean: Float32Array): Float32Array {
  if (theta.length !== mean.length) throw new Error(`weight vector has ${theta.length} values, the space's mean has ${mean.length}`);
  const z = new Float64Array(theta.length);
  for (let j = 0; j < z.length; j++) z[j] = (theta[j] - mean[j]) / std[j];
  return projectRows(z, v, k);
}

/** ∂L/∂c = ((∂L/∂θ) ⊙ std) @ V_k: the chain rule through θ = (c V_kᵀ) ⊙ std + mean. */
export function coefGrad(gradTheta: ArrayLike<number>, v: RowBlocks, k: number, std: Float32Array): Float32Array {
  if (gradTheta.length !== std.length) throw new Error(`gradient has ${gradTheta.length} values, the space's std has ${std.length}`);
  const z = new Float64Array(gradTheta.length);
  for (let j = 0; j < z.length; j++) z[j] = gradTheta[j] * std[j];
  return projectRows(z, v, k);
}

/** Per-column mean and unbiased std (torch.std's default) of an M×n row-major matrix. */
export function columnStats(m: Float32Array, rows: number, cols: number): { mean: Float32Array; std: Float32Array } {
  const sum = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let i = 0; i < cols; i++) sum[i] += m[r * cols + i];
  const mean = sum.map((s) => s / rows);
  const sq = new Float64Array(cols);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < cols; i++) {
      const e = m[r * cols + i] - mean[i];
      sq[i] += e * e;
    }
  return { mean: Float32Array.from(mean), std: Float32Array.from(sq, (s) => Math.sqrt(s / Math.max(rows - 1, 1))) };
}

/** A (n×M row-major) @ y (M). */
export function matVec(a: Float32Array, rows: number, cols: number, y: ArrayLike<number>): Float32Array {
  if (y.length !== cols) throw new Error(`matrix-vector product: ${rows}×${cols} matrix with a vector of ${y.length}`);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < cols; i++) s += a[r * cols + i] * y[i];
    out[r] = s;
  }
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/** d − (d·m / m·m) m: d with its component along m removed (m of norm 0 leaves d unchanged). */
export function debias(d: Float32Array, m: Float32Array): Float32Array {
  const mm = dot(m, m);
  if (mm === 0) return d.slice();
  const s = dot(d, m) / mm;
  return d.map((x, i) => x - s * (i < m.length ? m[i] : 0));
}

/** `x` zero-padded (or checked) to length k. */
export function padTo(x: Float32Array, k: number): Float32Array {
  if (x.length === k) return x;
  if (x.length > k) throw new Error(`vector of ${x.length} entries does not fit ${k} components`);
  const out = new Float32Array(k);
  out.set(x);
  return out;
}

/** ‖a − b‖ / ‖a‖ (0 for two zero vectors). */
export function relativeResidual(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += a[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}
