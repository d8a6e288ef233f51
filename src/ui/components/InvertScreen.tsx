// Invert a photo: drop it, crop, paint the head, pick a preset, run with progress, loss plot and
// previews; cancel and resume (also after a reload).
import { useEffect, useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { cancelInversion, discardSaved, refreshSaved, setPhoto, showResult, startInversion } from '../actions/invert';
import { formatSeconds } from '../format';
import { useIdentity } from '../identity-store';
import { setInvert, useInvert } from '../invert-store';
import { useTransitionStore } from '../use-transition-store';
import { LossPlot } from './LossPlot';
import { NumberField } from './NumberField';
import { PhotoEditor } from './PhotoEditor';

export function InvertScreen() {
  const s = useInvert(
    useShallow(({ photo, form, running, error, notes, saved, result, modelView, preview }) => ({ photo, form, running, error, notes, saved, result, modelView, preview })),
  );
  // Per-step progress (loss curve, step counter, ETA) renders as a transition.
  const progress = useTransitionStore(useInvert, (x) => x.losses);
  const step = useTransitionStore(useInvert, (x) => x.step);
  const total = useTransitionStore(useInvert, (x) => x.total);
  const etaMs = useTransitionStore(useInvert, (x) => x.etaMs);
  const space = useIdentity((x) => x.space);
  const [over, setOver] = useState(false);
  useEffect(() => void refreshSaved(), []);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files[0];
    if (f) void setPhoto(f);
  };
  const form = s.form;
  const setForm = (patch: Partial<typeof form>) => setInvert({ form: { ...form, ...patch } });
  return (
    <div className="screen invert">
      <section aria-labelledby="photo-h" className="panel">
        <h2 id="photo-h">Photo</h2>
        <div className={`drop ${over ? 'over' : ''}`} onDragOver={(e) => (e.preventDefault(), setOver(true))} onDragLeave={() => setOver(false)} onDrop={onDrop}>
          <p>Drop a photo of one person (JPEG, PNG, WebP)</p>
          <label className="button">
            Choose photo…
            <input type="file" accept="image/*" hidden onChange={(e) => e.target.files?.[0] && void setPhoto(e.target.files[0])} />
          </label>
        </div>
        {s.photo && <PhotoEditor />}
      </section>
      <section aria-labelledby="inv-h" className="panel">
        <h2 id="inv-h">Inversion</h2>
        {!space && <p className="note">Import the w2w space on the Create screen first: inversion optimizes its coefficients.</p>}
        <div className="form">
          <label>
            Preset
            <select value={form.preset} onChange={(e) => setForm({ preset: e.target.value as 'photo' | 'painting' })}>
              <option value="photo">photo (10000 PCs when available, 400 steps, lr 0.1)</option>
              <option value="painting">painting / out of domain (1000 PCs, 800 steps, lr 1)</option>
            </select>
          </label>
          <div className="row">
            <Optional label="Inversion steps" value={form.steps} onChange={(steps) => setForm({ steps })} />
            <Optional label="Components" value={form.components} onChange={(components) => setForm({ components })} />
            <Optional label="Learning rate" value={form.lr} step={0.01} onChange={(lr) => setForm({ lr })} />
          </div>
          <div className="row">
            <NumberField label="Inversion seed" value={form.seed} min={0} max={2 ** 31 - 1} step={1} onChange={(seed) => setForm({ seed })} />
            <NumberField label="Preview every" value={form.previewEvery} min={0} max={1000} step={1} onChange={(previewEvery) => setForm({ previewEvery })} />
            <NumberField label="Preview steps" value={form.previewSteps} min={1} max={50} step={1} onChange={(previewSteps) => setForm({ previewSteps })} />
          </div>
          <div className="row">
            <button className="primary" onClick={() => void startInversion()} disabled={!s.photo || !space || s.running}>
              Invert
            </button>
            {s.running && <button onClick={cancelInversion}>Cancel</button>}
            {!s.running && s.saved && (
              <>
                <button onClick={() => void startInversion(true)} disabled={!space}>
                  Resume ({s.saved.photo}, step {s.saved.step} of {s.saved.total})
                </button>
                <button onClick={() => void discardSaved()}>Discard saved run</button>
              </>
            )}
          </div>
        </div>
        {s.error && (
          <p role="alert" className="error">
            {s.error}
          </p>
        )}
        {s.notes.map((n) => (
          <p key={n} className="note">
            {n}
          </p>
        ))}
        {(s.running || step > 0) && (
          <div className="progress">
            <progress aria-label="inversion progress" max={total || 1} value={step} /> step <span data-testid="invert-step">{step}</span> / {total}
            {s.running && etaMs > 0 && ` · ${formatSeconds(etaMs / 1000)} left`}
          </div>
        )}
        <LossPlot losses={progress} />
        <div className="compare">
          {s.modelView && (
            <figure>
              <img src={s.modelView.photo} alt="the photo as the model sees it" />
              <figcaption>model input</figcaption>
            </figure>
          )}
          {s.modelView && (
            <figure>
              <img src={s.modelView.mask} alt="the mask at latent resolution" />
              <figcaption>mask</figcaption>
            </figure>
          )}
          {s.preview && (
            <figure>
              <img src={s.preview} alt="generated image: inversion preview" data-testid="invert-preview" />
              <figcaption>preview</figcaption>
            </figure>
          )}
        </div>
        {s.result && (
          <p data-testid="invert-result">
            Saved to the library as <strong>{s.result}</strong>. <button onClick={showResult}>Use it on Create</button>
          </p>
        )}
      </section>
    </div>
  );
}

function Optional(p: { label: string; value?: number; step?: number; onChange: (v: number | undefined) => void }) {
  return (
    <label>
      {p.label}
      <input
        type="number"
        placeholder="preset"
        step={p.step ?? 1}
        min={0}
        value={p.value ?? ''}
        onChange={(e) => p.onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    </label>
  );
}
