// Static shape arithmetic shared by the op inference rules and the VJP rules.

export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

export const normAxis = (axis: number, rank: number): number => {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
};

/** Resolves a reshape target with at most one -1 and ONNX's 0 = "copy this dim". */
export function resolveReshape(from: readonly number[], to: readonly number[]): number[] {
  const total = from.reduce((a, b) => a * b, 1);
  const out = to.map((d, i) => (d === 0 ? from[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const holes = out.filter((d) => d === -1).length;
  if (holes > 1) throw new Error(`reshape: more than one -1 in [${to}]`);
  if (holes === 1) out[out.indexOf(-1)] = total / known;
  const got = out.reduce((a, b) => a * b, 1);
  if (got !== total || !out.every(Number.isInteger)) throw new Error(`reshape: [${from}] cannot become [${to}]`);
  return out;
}

export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);
