// Drop a photo to invert: crop, paint the head mask (or start from an ellipse, or drop a mask file),
// choose the settings, "Invert"; progress, loss curve and previews while it runs; cancel and resume.
import { useEffect, useState, type DragEvent } from 'react';
import {
  cancelInversion, checkPending, discardPending, headEllipse, openMaskFile, openPhoto, resumeInversion, restoreBest, scoreLastResult, startInversion,
} from '../actions/invert';
import { clearMask } from '../actions/mask-layer';
import { autoFace } from '../actions/face';
import { renderIdentity } from '../actions/render';
import { useIdentity } from '../identity-store';
import { setApp } from '../store';
import { setInvert, useInvert, type BrushMode } from '../invert-store';
import { centeredCrop, zoomCrop, zoomOf } from '../crop';
import { InversionProgress } from './InversionProgress';
import { InvertSettings } from './InvertSettings';
import { FileButton } from './FileButton';
import { MaskEditor } from './MaskEditor';
import { RunAnnouncer } from './RunAnnouncer';
import './invert.css';

/** The photo beside the last preview of its identity, and the way on to Create where it renders. */
function InvertOutcome() {
  const photo = useInvert((s) => s.photo);
  const preview = useInvert((s) => s.preview);
  return (
    <div className="invert-outcome">
      {photo && <img src={photo.url} alt="the inverted photo" />}
      {preview && <img src={preview.url} alt={`generated image: inversion result, step ${preview.step}`} />}
      <button
        className="primary"
        onClick={() => {
          setApp({ tab: 'create' });
          void renderIdentity();
        }}
      >
        Generate / edit this identity
      </button>
    </div>
  );
}

const MODES: { id: BrushMode; label: string }[] = [
  { id: 'crop', label: 'Crop' },
  { id: 'brush', label: 'Brush' },
  { id: 'eraser', label: 'Eraser' },
];

function FileDrop({ label, onFile, children }: { label: string; onFile: (f: File) => void; children: React.ReactNode }) {
  const [over, setOver] = useState(false);
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files[0];
    if (f) onFile(f);
  };
  return (
    <div
      className={`drop ${over ? 'over' : ''}`}
      data-testid={`drop-${label.toLowerCase().replace(/\W+/g, '-')}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      {children}
      <FileButton label={`${label}…`} onFiles={(files) => onFile(files[0])} />
    </div>
  );
}

function Tools() {
  const { photo, mode, brush, masked } = useInvert();
  const crop = useInvert((s) => s.crop);
  if (!photo) return null;
  const { viewWidth: w, viewHeight: h } = photo;
  const c = crop ?? centeredCrop(w, h);
  return (
    <div className="tools">
      <div role="radiogroup" aria-label="tool" className="row">
        {MODES.map((m) => (
          <label key={m.id} className="radio">
            <input type="radio" name="invert-tool" checked={mode === m.id} onChange={() => setInvert({ mode: m.id })} />
            {m.label}
          </label>
        ))}
      </div>
      <div className="row">
        <label>
          Zoom
          <input type="range" min={1} max={8} step={0.05} value={zoomOf(c, w, h)} onChange={(e) => setInvert({ crop: zoomCrop(c, Number(e.target.value), w, h) })} />
        </label>
        <button onClick={() => setInvert({ crop: undefined })} disabled={!crop}>
          Center crop
        </button>
      </div>
      <div className="row">
        <label>
          Brush size
          <input type="range" min={2} max={96} step={1} value={brush} onChange={(e) => setInvert({ brush: Number(e.target.value) })} />
        </label>
        <button onClick={() => void autoFace(false)}>Auto mask</button>
        <button onClick={() => void headEllipse()}>Head ellipse</button>
        <button onClick={clearMask} disabled={!masked}>
          Clear mask
        </button>
      </div>
      <FileDrop label="Choose mask" onFile={(f) => void openMaskFile(f)}>
        <p className="hint">Or drop a mask image (white = head).</p>
      </FileDrop>
      <p className="hint">{masked ? 'Only the painted region counts in the loss.' : 'No mask painted: the whole square counts.'}</p>
    </div>
  );
}

export function InvertPanel() {
  const { photo, phase, error, notes, pending, saved, step, total, score, best } = useInvert();
  const space = useIdentity((s) => s.space);
  useEffect(() => void checkPending(), [space?.id]);
  const busy = phase === 'running' || phase === 'cancelling' || phase === 'saving';
  return (
    <div className="screen invert">
      <section aria-labelledby="invert-h" className="panel">
        <h2 id="invert-h">Invert a photo</h2>
        <FileDrop label="Choose photo" onFile={(f) => void openPhoto(f)}>
          <p>Drop a photo (JPEG, PNG, WebP) of one person.</p>
        </FileDrop>
        {error && (
          <p role="alert" className="error" data-testid="invert-error">
            {error}
          </p>
        )}
        {photo && <MaskEditor />}
        <Tools />
      </section>
      <section aria-labelledby="invert-run-h" className="panel">
        <h2 id="invert-run-h">Run</h2>
        {!space && <p className="note">Import a w2w space on the Create screen first: inversion optimizes its coefficients.</p>}
        {pending && !busy && (
          <div className="note" data-testid="invert-pending">
            <p>
              An inversion of {pending.photoName} stopped at step {pending.step} of {pending.total} ({pending.settings.components}{' '}
              components, lr {pending.settings.lr}, weight decay {pending.settings.weightDecay}, Adam β1 {pending.settings.beta1}, β2{' '}
              {pending.settings.beta2}, eps {pending.settings.eps}, seed {pending.settings.seed}).
            </p>
            <div className="row">
              <button className="primary" onClick={() => void resumeInversion()} disabled={!space}>
                Resume ({pending.photoName}, step {pending.step} of {pending.total})
              </button>
              <button onClick={() => void discardPending()}>Discard</button>
            </div>
          </div>
        )}
        <InvertSettings disabled={busy} />
        <div className="row">
          <button className="primary" onClick={() => void startInversion()} disabled={!photo || !space || busy}>
            Invert
          </button>
          {busy && (
            <button onClick={cancelInversion} disabled={phase !== 'running'}>
              Cancel
            </button>
          )}
        </div>
        {phase === 'cancelling' && <p className="hint">Cancelling: the run stops after the current step and keeps its checkpoint.</p>}
        {notes.map((n) => (
          <p key={n} className="note">
            {n}
          </p>
        ))}
        {score && <p data-testid="invert-score">{score}</p>}
        <RunAnnouncer label="inversion" running={busy} failed={phase === 'error'} cancelled={!saved} done={step} total={total} />
        <InversionProgress />
        {best && !busy && (
          <button onClick={() => void restoreBest()} title="Saves the coefficients of the best-scoring preview to the library as the current identity">
            Restore best (score {best.score.toFixed(2)} at step {best.step})
          </button>
        )}
        {saved && (
          <>
            <p data-testid="invert-result">
              Saved to the library as <strong>{saved}</strong>; it is now the current identity.
            </p>
            {!score && (
              <button onClick={() => void scoreLastResult()} disabled={busy}>
                Identity score
              </button>
            )}
            <InvertOutcome />
          </>
        )}
      </section>
    </div>
  );
}
