// Before/after: the same seed without and with the attribute edits (shown by ResultView), and the identity
// score of both against the photo open on the Invert screen.
import { compareEdits } from '../actions/compare';
import { scoreEdits } from '../actions/face';
import { useIdentity } from '../identity-store';
import { useInvert } from '../invert-store';
import { useApp } from '../store';

export function CompareView() {
  const sliders = useIdentity((s) => s.sliders);
  const editScore = useIdentity((s) => s.editScore);
  const hasEdits = Object.values(sliders).some((v) => v !== 0);
  const photo = useInvert((s) => s.photo?.name);
  const generating = useApp((s) => s.generating);
  const scoring = !!editScore?.busy;
  const why = !hasEdits ? 'move an attribute slider first' : !photo ? 'open a photo on the Invert screen first: the score compares faces with it' : undefined;
  return (
    <section aria-labelledby="compare-h" className="panel">
      <h2 id="compare-h">Before / after</h2>
      <div className="row">
        <button onClick={() => void compareEdits()} disabled={!hasEdits || generating || scoring}>
          Generate before / after
        </button>
        <button onClick={() => void scoreEdits()} disabled={!!why || generating || scoring} title={why}>
          Identity score before / after edits
        </button>
      </div>
      <p className="hint">The pair shows in the Generate panel as one image with a slider.{photo && ` The score compares faces with ${photo}.`}</p>
      {editScore && editScore.sliders === sliders && (
        <p data-testid="edit-score" aria-live="polite">
          {editScore.text}
        </p>
      )}
    </section>
  );
}
