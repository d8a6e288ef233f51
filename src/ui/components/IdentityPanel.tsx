// The identity: the space it lives in, Sample (with diversity; renders at once), save to the library; under
// Advanced, the nearest training identities and top-PC sliders.
import { useState } from 'react';
import { saveIdentity } from '../actions/library';
import { sampleAndRender } from '../actions/render';
import { setIdentity, useIdentity } from '../identity-store';
import { Advanced } from './Advanced';
import { IdentityImport } from './IdentityImport';
import { NearestList } from './NearestList';
import { Slider } from './Slider';
import { SpaceImport } from './SpaceImport';

export function IdentityPanel() {
  const space = useIdentity((s) => s.space);
  const identity = useIdentity((s) => s.identity);
  const diversity = useIdentity((s) => s.diversity);
  const pcOffsets = useIdentity((s) => s.pcOffsets);
  const pcStats = useIdentity((s) => s.pcStats);
  const [name, setName] = useState('');
  return (
    <section aria-labelledby="identity-h" className="panel identity">
      <h2 id="identity-h">Identity</h2>
      <SpaceImport />
      {space && (
        <>
          <div className="row">
            <button className="primary" onClick={() => void sampleAndRender()}>
              Sample identity
            </button>
          </div>
          <Slider label="Diversity" value={diversity} min={0} max={2} step={0.1} onChange={(v) => setIdentity({ diversity: v })} />
          <IdentityImport />
          {identity ? (
            <p data-testid="identity-name">
              Current: <strong>{identity.name}</strong>
            </p>
          ) : (
            <p className="hint">No identity: images come from the base model.</p>
          )}
          {identity && (
            <Advanced what="nearest training identities, principal components">
              <NearestList />
              {pcStats && (
                <fieldset className="sliders">
                  <legend>Top principal components (σ of the training models)</legend>
                  {pcOffsets.slice(0, pcStats.std.length).map((z, i) => (
                    <Slider
                      key={i}
                      label={`PC ${i + 1}`}
                      value={z}
                      min={-3}
                      max={3}
                      step={0.1}
                      onChange={(v) => setIdentity((s) => ({ pcOffsets: s.pcOffsets.map((x, j) => (j === i ? v : x)) }))}
                    />
                  ))}
                </fieldset>
              )}
            </Advanced>
          )}
          {identity && (
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                void saveIdentity(name.trim() || identity.name);
                setName('');
              }}
            >
              <label>
                Name
                <input value={name} placeholder={identity.name} onChange={(e) => setName(e.target.value)} />
              </label>
              <button type="submit">Save to library</button>
            </form>
          )}
        </>
      )}
    </section>
  );
}
