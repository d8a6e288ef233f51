// Before/after: the same seed without and with the attribute edits (shown by ResultView).
import { compareEdits } from '../actions/compare';
import { useIdentity } from '../identity-store';
import { useApp } from '../store';

export function CompareView() {
  const hasEdits = useIdentity((s) => Object.values(s.sliders).some((v) => v !== 0));
  const generating = useApp((s) => s.generating);
  return (
    <section aria-labelledby="compare-h" className="panel">
      <h2 id="compare-h">Before / after</h2>
      <button onClick={() => void compareEdits()} disabled={!hasEdits || generating}>
        Generate before / after
      </button>
      <p className="hint">The pair shows in the Generate panel as one image with a slider.</p>
    </section>
  );
}
