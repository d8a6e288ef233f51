// Label-free directions from the pullback metric (Park et al. 2023): "Discover directions" on a generated
// image (x_t moved at t ≈ 0.65 T, then denoised on) and on the current identity (w2w coefficients), with
// a slider and a preview per direction and the cosines against the labelled attribute directions.
import type { LabelCosine } from '../../engine/pullback/closest-labels';
import {
  applyEditedIdentity, discoverIdentityDirections, discoverImageDirections, setIdentitySlider, setImageSlider,
} from '../actions/directions';
import { describeDirection } from '../attribute-names';
import { setDirections, useDirections, type SliderSet } from '../directions-store';
import { useIdentity } from '../identity-store';
import { useApp } from '../store';
import { NumberField } from './NumberField';
import { Slider } from './Slider';
import { TableScroll } from './TableScroll';
import './invert.css';

function DirectionSliders({ set, kind, onChange, extra }: {
  set: SliderSet;
  kind: string;
  onChange: (i: number, v: number) => void;
  extra?: (i: number) => React.ReactNode;
}) {
  return (
    <div className="sliders">
      {set.sliders.map((v, i) => (
        <div key={i} className="direction">
          <div>
            <Slider label={`${kind} direction ${i + 1}`} value={v} min={-1} max={1} step={0.05} onChange={(x) => onChange(i, x)} />
            {extra?.(i)}
          </div>
          {set.previews[i] ? (
            <img src={set.previews[i]!.url} alt={`generated image (${kind} direction ${i + 1}, s = ${set.previews[i]!.at})`} data-testid={`${kind}-edit-${i}`} />
          ) : (
            <span className="hint">move the slider</span>
          )}
        </div>
      ))}
    </div>
  );
}

function Discover({ label, run, busy, disabled, children }: { label: string; run: () => Promise<void>; busy: boolean; disabled?: boolean; children?: React.ReactNode }) {
  return (
    <div className="row">
      <button className="primary" onClick={() => void run()} disabled={disabled || busy}>
        {label}
      </button>
      {children}
      {busy && <span aria-live="polite">power iteration on JᵀJ…</span>}
    </div>
  );
}

const Failure = ({ error }: { error?: string }) =>
  error ? (
    <p role="alert" className="error">
      {error}
    </p>
  ) : null;

const sigma = (values: number[]) => values.map((v) => v.toPrecision(4)).join(', ');

/** The numbers behind a result, folded under its plain sentence. */
const Maths = ({ children }: { children: React.ReactNode }) => (
  <details className="maths">
    <summary>Details</summary>
    <p>{children}</p>
  </details>
);

function ImageDirections() {
  const gallery = useApp((s) => s.gallery);
  const { n, fraction, itemId, imagePhase, imageError, image, rendering } = useDirections();
  const item = gallery.find((g) => g.id === (image?.itemId ?? itemId)) ?? gallery[0];
  return (
    <section aria-labelledby="dir-image-h" className="panel directions">
      <h2 id="dir-image-h">Image directions</h2>
      {!gallery.length && <p className="hint">Generate an image on the Create screen first.</p>}
      {gallery.length > 0 && (
        <div className="form">
          <label>
            Image
            <select value={item?.id} onChange={(e) => setDirections({ itemId: e.target.value })}>
              {/* Numbered, newest first as in the gallery: two images of the same identity and seed stay apart. */}
              {gallery.map((g, i) => (
                <option key={g.id} value={g.id}>
                  {gallery.length - i}. {g.identity}, “{g.settings.prompt}”, seed {g.settings.seed}, {g.settings.steps} steps, {g.width}×{g.height}
                </option>
              ))}
            </select>
          </label>
          <div className="row">
            <NumberField label="Directions" value={n} min={1} max={16} step={1} onChange={(v) => setDirections({ n: v })} />
            <NumberField label="t / T" value={fraction} min={0.05} max={0.95} step={0.05} onChange={(v) => setDirections({ fraction: v })} />
          </div>
          <Discover label="Discover directions" run={discoverImageDirections} busy={imagePhase === 'discovering'} />
        </div>
      )}
      <Failure error={imageError} />
      {image && (
        <>
          <div data-testid="image-directions">
            <p>
              The {image.values.length} changes this image is most sensitive to at denoising step {image.step + 1}: move a
              slider to see each.{rendering && ' Rendering…'}
            </p>
            <Maths>
              At t = {image.timestep} (step {image.step + 1}): σ = {sigma(image.values)} · {image.iterations} iterations
              {image.converged ? '' : ' (not converged)'} · slider unit ‖x_t‖ = {image.scale.toFixed(2)}
            </Maths>
          </div>
          {item && <img src={item.url} alt={`generated image (original): ${item.identity}, seed ${item.settings.seed}`} />}
          <DirectionSliders set={image} kind="image" onChange={setImageSlider} />
        </>
      )}
    </section>
  );
}

function IdentityDirectionsSection() {
  const current = useIdentity((s) => s.identity);
  const { prompts, fractions, identityPhase, identityError, identity, rendering } = useDirections();
  return (
    <section aria-labelledby="dir-id-h" className="panel directions">
      <h2 id="dir-id-h">Identity directions</h2>
      <p className="hint">Top singular vectors of ∂h/∂c (UNet mid-block h, w2w coefficients c), JᵀJ summed over the prompts and times below.</p>
      <div className="form">
        <label>
          Prompts (one per line)
          <textarea rows={2} value={prompts} onChange={(e) => setDirections({ prompts: e.target.value })} />
        </label>
        <label>
          t / T (comma separated)
          <input value={fractions} onChange={(e) => setDirections({ fractions: e.target.value })} />
        </label>
        <Discover label="Discover identity directions" run={discoverIdentityDirections} busy={identityPhase === 'discovering'} disabled={!current}>
          {!current && <span className="hint">Sample or load an identity first.</span>}
        </Discover>
      </div>
      <Failure error={identityError} />
      {identity && (
        <>
          <div data-testid="identity-directions">
            <p>
              The {identity.values.length} ways {identity.name} can change that the model responds to most: move a slider to
              see each, “Use as identity” keeps it.{rendering && ' Rendering…'}
            </p>
            <Maths>
              σ = {sigma(identity.values)} · {identity.iterations} iterations{identity.converged ? '' : ' (not converged)'} · t ={' '}
              {identity.timesteps.join(', ')}
            </Maths>
          </div>
          <CosineTable names={identity.names} cosines={identity.cosines} closest={identity.closest} />
          <DirectionSliders
            set={identity}
            kind="identity"
            onChange={setIdentitySlider}
            extra={(i) => (
              <>
                <p className="hint">{describeDirection(identity.closest[i] ?? [])}</p>
                {identity.coefs[i] && (
                  <button onClick={() => applyEditedIdentity(i)} aria-label={`Use as identity (identity direction ${i + 1})`}>
                    Use as identity
                  </button>
                )}
              </>
            )}
          />
        </>
      )}
    </section>
  );
}

/** Per direction the closest labelled attributes; the whole table below. */
function CosineTable({ names, cosines, closest }: { names: string[]; cosines: Float32Array; closest: LabelCosine[][] }) {
  const rows = closest.length;
  return (
    <>
      <TableScroll label="closest labels">
        <table data-testid="cosine-table">
          <caption>Closest labelled attribute directions (cosine)</caption>
          <thead>
            <tr>
              <th>direction</th>
              <th>closest labels</th>
            </tr>
          </thead>
          <tbody>
            {closest.map((labels, i) => (
              <tr key={i}>
                <td>{i + 1}</td>
                <td>
                  {labels.map((x) => `${x.name} ${x.cosine >= 0 ? '+' : '−'}${Math.abs(x.cosine).toFixed(3)}`).join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <details className="cosines">
        <summary>All {names.length} labels</summary>
        <table>
          <thead>
            <tr>
              <th>label</th>
              {Array.from({ length: rows }, (_, i) => (
                <th key={i}>{i + 1}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {names.map((name, j) => (
              <tr key={name}>
                <td>{name}</td>
                {Array.from({ length: rows }, (_, i) => (
                  <td key={i}>{cosines[i * names.length + j].toFixed(3)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

export function DirectionsScreen() {
  return (
    <div className="screen">
      <ImageDirections />
      <IdentityDirectionsSection />
    </div>
  );
}
