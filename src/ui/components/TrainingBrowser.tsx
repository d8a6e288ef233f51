// Every training identity of the space: filter by labels present/absent (Male ∧ Eyeglasses ∧ ¬Young), most
// similar to the current identity first, page through, "Use" one as the current identity.
import { useEffect, useState } from 'react';
import { pickTrainingIdentity, searchTraining, setLabelTerm, setTrainingOffset, setTrainingOrder } from '../actions/training';
import { attributeName } from '../attribute-names';
import { useIdentity } from '../identity-store';
import { setApp } from '../store';
import { TRAINING_PAGE, useTraining } from '../training-store';
import { TableScroll } from './TableScroll';

export function TrainingBrowser() {
  const space = useIdentity((s) => s.space);
  const identity = useIdentity((s) => s.identity);
  const { where, bySimilarity, offset, page, error } = useTraining();
  const [label, setLabel] = useState('');
  // Again whenever the space or the identity it is ordered against changes.
  useEffect(() => void (space && searchTraining()), [space, identity]);
  if (!space) return null;
  const columns = space.columns;
  const chosen = columns.includes(label) ? label : columns[0];
  const terms = Object.entries(where);
  const similar = bySimilarity && !!identity;
  return (
    <section aria-labelledby="training-h" className="panel training">
      <h2 id="training-h">Training identities</h2>
      <p className="hint">
        The {space.models} identities the space was built from, with their labels; "Use" makes one the current identity.
      </p>
      <div className="row">
        <label>
          Label
          <select aria-label="Label to filter by" value={chosen} onChange={(e) => setLabel(e.target.value)}>
            {columns.map((c) => (
              <option key={c} value={c}>
                {attributeName(c)}
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => setLabelTerm(chosen, true)}>Has</button>
        <button onClick={() => setLabelTerm(chosen, false)}>Lacks</button>
      </div>
      <p data-testid="training-filter">
        {terms.length ? 'Filter: ' : 'No filter: every identity.'}
        {terms.map(([c, present], i) => (
          <span key={c} className="term">
            {i > 0 && ' ∧ '}
            {present ? '' : '¬'}
            {attributeName(c)}{' '}
            <button aria-label={`Remove ${attributeName(c)} from the filter`} onClick={() => setLabelTerm(c, undefined)}>
              ×
            </button>
          </span>
        ))}
      </p>
      <label>
        <input type="checkbox" checked={bySimilarity} disabled={!identity} onChange={(e) => setTrainingOrder(e.target.checked)} /> most similar to the
        current identity first
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {page && (
        <>
          <p data-testid="training-count">
            {page.total ? `${page.offset + 1}–${page.offset + page.rows.length} of ${page.total}` : 'No training identity matches.'}
          </p>
          {page.total > 0 && (
            <TableScroll label="training identities">
              <table className="files training-rows">
                <thead>
                  <tr>
                    <th>row</th>
                    <th>file</th>
                    {similar && <th>cosine</th>}
                    <th>labels</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {page.rows.map((r) => (
                    <tr key={r.row} data-testid="training-row">
                      <td>{r.row}</td>
                      <td>{r.file}</td>
                      {similar && <td>{r.cosine?.toFixed(3)}</td>}
                      <td className="labels">{r.labels.map(attributeName).join(', ')}</td>
                      <td>
                        <button
                          aria-label={`Use training identity ${r.file}`}
                          onClick={() => {
                            void pickTrainingIdentity(r.row, r.file);
                            setApp({ tab: 'create' });
                          }}
                        >
                          Use
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          <div className="row">
            <button disabled={offset === 0} onClick={() => setTrainingOffset(offset - TRAINING_PAGE)}>
              Previous
            </button>
            <button disabled={offset + TRAINING_PAGE >= page.total} onClick={() => setTrainingOffset(offset + TRAINING_PAGE)}>
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}
