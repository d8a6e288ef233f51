// First thing on the page: what the app does, and one Download for the model and the w2w space together
// (per-file detail in the Download panel), with Pause and Cancel while it runs.
import { stopDownload } from '../actions/model';
import { downloadAll, spaceIncluded } from '../actions/start';
import { formatBytes } from '../format';
import { useIdentity } from '../identity-store';
import { setApp, useApp } from '../store';
import { RunAnnouncer } from './RunAnnouncer';
import { SpaceOptions } from './SpaceOptions';

export function StartPanel() {
  const { phase, plan, progress, estimate, spacePlan, downloadNote } = useApp();
  // Subscribed for re-rendering: spaceIncluded() reads both.
  useIdentity((s) => s.spacePhase);
  useIdentity((s) => s.spaceStorage?.bytes);
  const withSpace = spaceIncluded();
  const modelLeft = plan ? plan.total - plan.cached : 0;
  const spaceBytes = withSpace && spacePlan && 'total' in spacePlan ? spacePlan.total : 0;
  const loaded = Object.values(progress).reduce((a, p) => a + p.loaded, 0);
  const canStart = plan && phase === 'planned' && modelLeft > 0 && estimate?.verdict.ok !== false;
  return (
    <section aria-labelledby="start-h" className="panel start">
      <h2 id="start-h">Identities as weights, in this tab</h2>
      <p data-testid="intro">
        weights2weights samples a person as a small set of weights for Stable Diffusion: sample a new identity, edit it
        with sliders (age, gender, hair…), invert a photo into one, and export it as a LoRA. Everything runs in this
        browser; nothing is uploaded.
      </p>
      {phase === 'planning' && <p>asking the server for file sizes…</p>}
      {canStart && (
        <>
          <div className="row">
            <button className="primary big" onClick={() => void downloadAll()}>
              {withSpace ? 'Download model + space' : 'Download model'} ({formatBytes(modelLeft + spaceBytes)})
            </button>
            <span className="hint">
              {plan.cached > 0 && `${formatBytes(plan.cached)} of the model already here. `}
              Kept in this browser: later visits work offline.
            </span>
          </div>
          {withSpace && (
            <details>
              <summary>Space options (k = components kept)</summary>
              <SpaceOptions />
            </details>
          )}
          {spacePlan && 'error' in spacePlan && <p className="hint" data-testid="space-plan-note">w2w space not included: {spacePlan.error}</p>}
        </>
      )}
      <RunAnnouncer label="download" running={phase === 'downloading'} failed={phase === 'error'} done={loaded} total={plan?.total ?? 0} />
      {phase === 'downloading' && (
        <div className="row">
          <progress aria-label="total downloaded" max={plan?.total || 1} value={loaded} />
          <button onClick={() => void stopDownload('pause')}>Pause</button>
          <button onClick={() => void stopDownload('cancel')}>Cancel</button>
        </div>
      )}
      {downloadNote && <p role="status" data-testid="download-note">Download {downloadNote}.</p>}
      {phase === 'ready' ? (
        <p>
          Model loaded. <button onClick={() => setApp({ tab: 'create' })}>Go to Create</button>
        </p>
      ) : (
        <p className="hint" data-testid="tabs-note">Create, Invert, Directions and Library open once the model is downloaded and loaded.</p>
      )}
    </section>
  );
}
