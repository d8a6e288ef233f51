// torch.linalg.pinv of the coefficients (N×K, N ≥ K) as w2w computes pinverse_<K>pc.pt: through the
// eigendecomposition of the K×K Gram matrix, which for PCA coefficients is nearly diagonal (a sweep or two
// of Jacobi), with torch's cutoff: singular values below max(N, K)·ε₃₂·σ_max count as zero.
import { jacobiSvd } from './dense';

/** pinv(P) for row-major N×K `p`: the K×N row-major Moore–Penrose inverse. */
export function pseudoInverse(p: Float32Array, n: number, k: number): Float32Array {
  const gram = new Float64Array(k * k);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < k; i++) {
      const x = p[r * k + i];
      if (x !== 0) for (let j = i; j < k; j++) gram[j * k + i] += x * p[r * k + j];
    }
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) gram[i * k + j] = gram[j * k + i];
  const { s: eig, v: w } = jacobiSvd(gram, k, k); // PᵀP = W Λ Wᵀ, Λ = σ(P)²
  const cutoff = Math.max(n, k) * 2 ** -23 * Math.sqrt(eig[0]);
  // M = W Λ⁺ Wᵀ (K×K), then pinv = M Pᵀ.
  const m = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    if (!(Math.sqrt(eig[c]) > cutoff)) continue;
    const inv = 1 / eig[c];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) m[i * k + j] += w[c * k + i] * inv * w[c * k + j];
  }
  const out = new Float32Array(k * n);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += m[i * k + j] * p[r * k + j];
      out[i * n + r] = s;
    }
  return out;
}
