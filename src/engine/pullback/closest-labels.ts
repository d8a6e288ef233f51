// The labelled attributes a discovered direction is most like: what the app, the worker and the CLI show.
// Its own file so the page can use it without the pullback machinery.

export interface LabelCosine {
  name: string;
  cosine: number;
}

/** Per row of a cosine table (rows × names, row-major), the `count` names of largest |cosine|, largest first. */
export function closestLabels(names: readonly string[], cosines: ArrayLike<number>, count = 3): LabelCosine[][] {
  const rows = names.length ? Math.floor(cosines.length / names.length) : 0;
  return Array.from({ length: rows }, (_, i) =>
    names
      .map((name, j) => ({ name, cosine: cosines[i * names.length + j] }))
      .sort((a, b) => Math.abs(b.cosine) - Math.abs(a.cosine))
      .slice(0, count),
  );
}
