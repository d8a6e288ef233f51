// Before/after: the same seed without and with the attribute edits.
import { compareEdits } from '../actions/compare';
import { useIdentity } from '../identity-store';
import { useApp } from '../store';

export function CompareView() {
  const compare = useIdentity((s) => s.compare);
  const hasEdits = useIdentity((s) => Object.values(s.sliders).some((v) => v !== 0));
  const generating = useApp((s) => s.generating);
  return (
    <section aria-labelledby="compare-h" className="panel">
      <h2 id="compare-h">Before / after</h2>
      <button onClick={() => void compareEdits()} disabled={!hasEdits || generating}>
        Generate before / after
      </button>
      {compare && (
        <div className="compare">
          <figure>
            <img src={compare.before} alt="generated image before the edits" />
            <figcaption>before</figcaption>
          </figure>
          <figure>
            <img src={compare.after} alt="generated image after the edits" />
            <figcaption>after</figcaption>
          </figure>
        </div>
      )}
    </section>
  );
}
