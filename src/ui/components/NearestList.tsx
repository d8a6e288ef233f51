// The training identities closest to the current one by cosine (the paper's novelty check).
import { useIdentity } from '../identity-store';

export function NearestList() {
  const nearest = useIdentity((s) => s.nearest);
  const pcs = useIdentity((s) => s.space?.pcs);
  if (!nearest?.length) return null;
  return (
    <div className="nearest">
      <p className="hint">Nearest training identities (cosine over the first {pcs} coefficients):</p>
      <ol data-testid="nearest" aria-label="nearest training identities">
        {nearest.map((n) => (
          <li key={n.row}>
            row {n.row} · {n.file} · cosine {n.cosine.toFixed(3)}
          </li>
        ))}
      </ol>
    </div>
  );
}
