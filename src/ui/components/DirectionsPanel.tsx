// Label-free identity sliders: the top right-singular vectors of ∂h/∂c (UNet mid-block over the w2w
// coefficients) at the current identity, with the labelled attributes they resemble most.
import { useState } from 'react';
import { IDENTITY_FRACTIONS } from '../../engine/pullback/fractions';
import { discoverDirections } from '../actions/space';
import { describeDirection } from '../attribute-names';
import { setIdentity, useIdentity } from '../identity-store';
import { useApp } from '../store';
import { NumberField } from './NumberField';
import { Slider } from './Slider';

export function DirectionsPanel() {
  const free = useIdentity((s) => s.free);
  const freeOffsets = useIdentity((s) => s.freeOffsets);
  const freeStatus = useIdentity((s) => s.freeStatus);
  const busy = useApp((s) => s.generating);
  const [n, setN] = useState(3);
  return (
    <section aria-labelledby="free-h" className="panel">
      <h2 id="free-h">Discovered directions</h2>
      <p className="hint">
        Directions the UNet is most sensitive to at this identity (pullback metric, no labels), summed over the current
        prompt's trajectory at t = {IDENTITY_FRACTIONS.map((f) => `${f}·T`).join(' and ')} (T = the scheduler's training
        timesteps, 1000 for SD 1.5).
      </p>
      <div className="row">
        <NumberField label="Directions" value={n} min={1} max={10} step={1} onChange={setN} />
        <button onClick={() => void discoverDirections(n)} disabled={busy}>
          Discover directions
        </button>
      </div>
      {freeStatus && <p data-testid="free-status">{freeStatus}</p>}
      {free && (
        <>
          <div className="sliders" role="group" aria-label="discovered direction sliders">
            {free.vectors.map((_, j) => (
              <Slider
                key={j}
                label={`Direction ${j + 1}: ${describeDirection(free.closest[j])}`}
                value={freeOffsets[j] ?? 0}
                min={-2}
                max={2}
                step={0.1}
                onChange={(v) => setIdentity((s) => ({ freeOffsets: s.freeOffsets.map((x, i) => (i === j ? v : x)) }))}
              />
            ))}
          </div>
          <details data-testid="free-details">
            <summary>Details</summary>
            <ul>
              {free.vectors.map((_, j) => (
                <li key={j}>
                  direction {j + 1}: σ {free.values[j].toPrecision(3)}; cosine with {free.closest[j].map((c) => `${c.name} ${c.cosine.toFixed(2)}`).join(', ')}
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
    </section>
  );
}
