// A slider per attribute direction, by readable name: eight first, "More" for the rest (searchable); under
// Advanced, debias against chosen attributes and the timestep from which edits are injected.
import { useState } from 'react';
import { attributeName, featuredFirst } from '../attribute-names';
import { setIdentity, useIdentity } from '../identity-store';
import { Advanced } from './Advanced';
import { Slider } from './Slider';

export function AttributeSliders() {
  const space = useIdentity((s) => s.space);
  const hasIdentity = useIdentity((s) => !!s.identity);
  const sliders = useIdentity((s) => s.sliders);
  const debias = useIdentity((s) => s.debias);
  const switchAt = useIdentity((s) => s.switchAt);
  const alphas = useIdentity((s) => s.alphas);
  const [filter, setFilter] = useState('');
  // The other sliders are rendered only while "More" is open: every identity change re-renders this panel.
  const [moreOpen, setMoreOpen] = useState(false);
  if (!space || !hasIdentity) return null;
  const { first, more } = featuredFirst(space.columns);
  const query = filter.toLowerCase();
  const shown = more.filter((c) => attributeName(c).toLowerCase().includes(query) || c.toLowerCase().includes(query));
  const alphaOf = (attr: string) => alphas.find((a) => a.direction.split('~')[0] === attr);
  const slider = (attr: string) => {
    const a = alphaOf(attr);
    return (
      <Slider
        key={attr}
        label={attributeName(attr)}
        value={sliders[attr] ?? 0}
        min={-2}
        max={2}
        step={0.1}
        detail={a && (sliders[attr] ?? 0) !== 0 ? `(α ${a.alpha.toExponential(2)})` : undefined}
        onChange={(v) => setIdentity((s) => ({ sliders: { ...s.sliders, [attr]: v }, compare: undefined }))}
      />
    );
  };
  return (
    <section aria-labelledby="attr-h" className="panel attributes">
      <h2 id="attr-h">Attributes</h2>
      <div className="sliders featured" role="group" aria-label="attribute sliders">
        {first.map(slider)}
      </div>
      {more.length > 0 && (
        <details className="more" onToggle={(e) => setMoreOpen(e.currentTarget.open)}>
          <summary>More attributes ({more.length})</summary>
          {moreOpen && (
            <>
              <label>
                Search attributes
                <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="e.g. hair" />
              </label>
              <div className="sliders" role="group" aria-label="more attribute sliders">
                {shown.map(slider)}
                {!shown.length && <p className="hint">No attribute matches “{filter}”.</p>}
              </div>
            </>
          )}
        </details>
      )}
      <p className="hint">±1 moves the identity as far along a direction as the farthest training identity sits.</p>
      <Advanced what="debias, when edits apply">
        <label>
          Debias against (edits keep these attributes fixed)
          <select
            multiple
            size={4}
            value={debias}
            onChange={(e) => setIdentity({ debias: [...e.target.selectedOptions].map((o) => o.value) })}
          >
            {space.columns.map((c) => (
              <option key={c} value={c}>
                {attributeName(c)}
              </option>
            ))}
          </select>
        </label>
        <Slider label="Inject edits from timestep" value={switchAt} min={0} max={1000} step={10} onChange={(v) => setIdentity({ switchAt: v })} />
        <p className="hint">Edits apply once t ≤ this value: 700–1000 for global changes, 400–700 for fine ones.</p>
      </Advanced>
    </section>
  );
}
