// Block power (subspace) iteration with Rayleigh–Ritz on a symmetric positive semi-definite operator
// M = JᵀJ given only as products M·v: the top n eigenpairs, i.e. J's top right-singular vectors and
// σᵢ = √λᵢ. The block carries a few extra vectors (oversampling): the top n then converge at the rate
// (λ_{b+1}/λ_n)^k of the block size b instead of (λ_{n+1}/λ_n)^k, which matters when σ_n ≈ σ_{n+1}.
import { Rng } from '../sd/random';
import { combine, gram, norm, orthonormalize, symmetricEigen, type Vec } from './linalg';

/** Applies M to every vector of a block (one batched session run for x_t, one per vector for θ). */
export type BlockOperator = (block: readonly Vec[]) => Promise<Vec[]>;

export interface SubspaceOptions {
  /** Directions wanted. */
  n: number;
  /** Extra block vectors beyond n (default max(2, ⌈n/2⌉), capped by the dimension). */
  oversample?: number;
  /** Default 50. */
  maxIterations?: number;
  /** Stop when every top-n Ritz pair has ‖M·y − λ·y‖ ≤ tolerance · λ₁ (default 1e-4). */
  tolerance?: number;
  /** Seed of the Gaussian starting block (default 0). */
  seed?: number;
  onIteration?: (i: number, residual: number, values: readonly number[]) => void;
}

export interface SubspaceResult {
  /** Singular values σᵢ = √λᵢ, descending. */
  values: number[];
  /** Unit right-singular vectors (sign fixed so the largest-magnitude entry is positive). */
  vectors: Vec[];
  iterations: number;
  /** max over the top n of ‖M·y − λ·y‖ / λ₁ at the last iteration. */
  residual: number;
  converged: boolean;
}

/** Vectors per block: n plus the oversampling (default max(2, ⌈n/2⌉)), at most the dimension. */
export const blockSize = (n: number, dim: number, oversample?: number): number =>
  Math.min(dim, n + (oversample ?? Math.max(2, Math.ceil(n / 2))));

export async function topEigen(apply: BlockOperator, dim: number, o: SubspaceOptions): Promise<SubspaceResult> {
  const { n } = o;
  if (!Number.isInteger(n) || n < 1 || n > dim) throw new Error(`directions: n must be an integer in 1..${dim}, got ${n}`);
  const b = blockSize(n, dim, o.oversample);
  const maxIterations = o.maxIterations ?? 50;
  const tolerance = o.tolerance ?? 1e-4;
  const rng = new Rng(o.seed ?? 0);
  let q = orthonormalize(Array.from({ length: b }, () => Float64Array.from(rng.normals(dim))));
  let values: number[] = [];
  let ritz: Vec[] = [];
  let residual = Infinity;
  let i = 0;
  while (i < maxIterations) {
    i++;
    const mq = await apply(q);
    if (mq.length !== b || mq.some((v) => v.length !== dim)) throw new Error('directions: operator returned a wrong-sized block');
    // Rayleigh–Ritz in span(q): H = qᵀ M q = U Λ Uᵀ, Ritz vectors y = q U with M y = (M q) U.
    const h = gram(q, mq);
    for (let r = 0; r < b; r++) for (let c = 0; c < r; c++) h[r * b + c] = h[c * b + r] = (h[r * b + c] + h[c * b + r]) / 2;
    const eig = symmetricEigen(h, b);
    ritz = eig.vectors.map((u) => combine(q, u));
    const mRitz = eig.vectors.map((u) => combine(mq, u));
    values = eig.values;
    const scale = Math.max(values[0], Number.MIN_VALUE);
    residual = Math.max(
      ...ritz.slice(0, n).map((y, k) => norm(mRitz[k].map((v, j) => v - values[k] * y[j])) / scale),
    );
    o.onIteration?.(i, residual, values.slice(0, n).map((l) => Math.sqrt(Math.max(l, 0))));
    if (residual <= tolerance) break;
    try {
      q = orthonormalize(mRitz);
    } catch {
      throw new Error(`directions: JᵀJ has rank below the block size ${b} (${n} directions + ${b - n} oversampling): ask for fewer`);
    }
  }
  const vectors = ritz.slice(0, n).map(canonicalSign);
  return {
    values: values.slice(0, n).map((l) => Math.sqrt(Math.max(l, 0))),
    vectors,
    iterations: i,
    residual,
    converged: residual <= tolerance,
  };
}

/** Singular vectors have no sign: make the entry of largest magnitude positive so runs are comparable. */
function canonicalSign(v: Vec): Vec {
  let k = 0;
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[k])) k = j;
  return v[k] < 0 ? v.map((x) => -x) : v;
}
