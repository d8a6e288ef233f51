// Comparing face descriptors. The score is the cosine of the two 128-D descriptors, clamped to [0, 1], as the
// paper's identity score is the cosine of FaceNet embeddings (higher = same person). Whether two faces are
// the same person is decided by the model's own rule: face-api's matcher calls descriptors closer than 0.6
// (Euclidean) one person.
export const SAME_PERSON_DISTANCE = 0.6;

function check(a: Float32Array, b: Float32Array) {
  if (a.length !== b.length || !a.length) throw new Error(`face descriptors of ${a.length} and ${b.length} values cannot be compared`);
}

export function descriptorDistance(a: Float32Array, b: Float32Array): number {
  check(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

export function descriptorSimilarity(a: Float32Array, b: Float32Array): number {
  check(a, b);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? Math.max(0, Math.min(1, dot / Math.sqrt(na * nb))) : 0;
}
