// The training identities of a space (the rows of proj_<n>pc.pt with their identity_df.pt labels): filtered by
// any conjunction of labels (Male ∧ Eyeglasses ∧ ¬Young), ordered by cosine to an identity, paged. The cosine
// search is one pass over proj (M × n, 65 M multiply-adds at full size) against row norms computed once.
import { dotAt } from './math';
import type { SpaceLabels } from './space';

/** Each named label column must be present (true) or absent (false); a label is present where its value > 0 (0/1 and ±1 alike). */
export type LabelFilter = Readonly<Record<string, boolean>>;

export interface SearchQuery {
  readonly where?: LabelFilter;
  /** Order by cosine to these coefficients (over the first min(n, length) PCs), highest first; else by row. */
  readonly similarTo?: ArrayLike<number>;
  readonly offset?: number;
  /** Rows per page (default 20). */
  readonly count?: number;
}

export interface TrainingRow {
  readonly row: number;
  /** identity_df's index entry. */
  readonly file: string;
  /** Cosine to `similarTo`, when the query has one. */
  readonly cosine?: number;
  /** The label columns present for this row. */
  readonly labels: string[];
}

export interface SearchPage {
  /** Rows matching the filter. */
  readonly total: number;
  readonly offset: number;
  readonly rows: TrainingRow[];
}

export interface TrainingData {
  readonly proj: Float32Array;
  readonly pcs: number;
  readonly labels: SpaceLabels;
}

const PAGE = 20;

export class TrainingSearch {
  // Row norms per prefix length n (cosines over the first n PCs): one pass over proj, reused by every query.
  private readonly norms = new Map<number, Float32Array>();
  // Pages of one query re-use its order rather than scoring and sorting again.
  private last?: { key: string; vector?: Float32Array; order: Uint32Array; cosines?: Float32Array };

  constructor(private readonly data: TrainingData) {}

  get models(): number {
    return this.data.proj.length / this.data.pcs;
  }

  /** Rows whose labels satisfy every term of `where`, ascending. Unknown columns are named in the error. */
  matches(where: LabelFilter = {}): Uint32Array {
    const { columns } = this.data.labels;
    const terms = Object.entries(where).map(([name, present]) => {
      const col = columns.get(name);
      if (!col) throw new Error(`unknown label ${JSON.stringify(name)} in the filter: the space's labels are ${[...columns.keys()].join(', ')}`);
      return { col, present };
    });
    const out = new Uint32Array(this.models);
    let n = 0;
    for (let m = 0; m < out.length; m++) if (terms.every((t) => t.col[m] > 0 === t.present)) out[n++] = m;
    return out.slice(0, n);
  }

  /** Cosine of every row (over the first min(n, c.length) PCs) with c; 0 where either norm is 0. */
  cosines(c: ArrayLike<number>): Float32Array {
    const { proj, pcs } = this.data;
    const n = Math.min(pcs, c.length);
    const head = Float64Array.from({ length: n }, (_, i) => c[i]);
    let cc = 0;
    for (let i = 0; i < n; i++) cc += head[i] * head[i];
    const cn = Math.sqrt(cc);
    // The first query at this n also takes the row norms, while each row is in cache.
    const cached = this.norms.get(n);
    const norms = cached ?? new Float32Array(this.models);
    const out = new Float32Array(this.models);
    for (let m = 0, base = 0; m < out.length; m++, base += pcs) {
      if (!cached) {
        let rr = 0;
        for (let i = 0; i < n; i++) rr += proj[base + i] * proj[base + i];
        norms[m] = Math.sqrt(rr);
      }
      const rn = norms[m];
      out[m] = cn && rn ? dotAt(proj, base, head, n) / (cn * rn) : 0;
    }
    this.norms.set(n, norms);
    return out;
  }

  /** One page of the rows matching `where`, by cosine to `similarTo` (ties by row) or by row. */
  query(q: SearchQuery = {}): SearchPage {
    const count = q.count ?? PAGE;
    const offset = q.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`page offset must be a whole number ≥ 0, got ${offset}`);
    if (!Number.isSafeInteger(count) || count < 1) throw new Error(`rows per page must be a whole number ≥ 1, got ${count}`);
    const { order, cosines } = this.ordered(q.where ?? {}, q.similarTo);
    const { index, columns } = this.data.labels;
    const names = [...columns.keys()];
    const rows = Array.from(order.subarray(offset, offset + count), (row) => ({
      row,
      file: index[row] ?? String(row),
      ...(cosines && { cosine: cosines[row] }),
      labels: names.filter((c) => columns.get(c)![row] > 0),
    }));
    return { total: order.length, offset, rows };
  }

  private ordered(where: LabelFilter, similarTo?: ArrayLike<number>): { order: Uint32Array; cosines?: Float32Array } {
    const key = JSON.stringify(Object.entries(where).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const vector = similarTo && Float32Array.from(similarTo);
    const last = this.last;
    if (last && last.key === key && sameVector(last.vector, vector)) return last;
    const order = this.matches(where);
    const cosines = vector && this.cosines(vector);
    if (cosines) order.sort((a, b) => cosines[b] - cosines[a] || a - b);
    this.last = { key, vector, order, cosines };
    return this.last;
  }
}

function sameVector(a?: Float32Array, b?: Float32Array): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}
