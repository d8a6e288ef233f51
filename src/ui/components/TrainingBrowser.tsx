// Every training identity of the space: filter by labels present/absent (Male ∧ Eyeglasses ∧ ¬Young), most
// similar to the current identity first, page through, "Use" one as the current identity; images rendered on demand.
import { useEffect, useState } from 'react';
import { loadThumbnails, renderThumbnails } from '../actions/thumbnails';
import { pickTrainingIdentity, searchTraining, setLabelTerm, setTrainingOffset, setTrainingOrder } from '../actions/training';
import { attributeName } from '../attribute-names';
import { useIdentity } from '../identity-store';
import { setApp } from '../store';
import { setTraining, TRAINING_PAGE, useTraining, type Thumb } from '../training-store';
import { TableScroll } from './TableScroll';

export function TrainingBrowser() {
  const space = useIdentity((s) => s.space);
  const identity = useIdentity((s) => s.identity);
  const { where, bySimilarity, offset, page, error, thumbs } = useTraining();
  const [label, setLabel] = useState('');
  // Thumbnails belong to one space: dropped when another is loaded.
  useEffect(() => setTraining((s) => (s.thumbsSpace === space?.id ? s : { thumbs: {}, thumbsSpace: space?.id })), [space?.id]);
  // Again whenever the space or the identity it is ordered against changes.
  useEffect(() => void (space && searchTraining()), [space, identity]);
  useEffect(() => void (page && loadThumbnails(page.rows.map((r) => r.row))), [page]);
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
                    <th>image</th>
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
                      <td>
                        <ThumbCell thumb={thumbs[r.row]} file={r.file} onRender={() => renderThumbnails([r.row])} />
                      </td>
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
            <button onClick={() => renderThumbnails(page.rows.map((r) => r.row))} disabled={!page.rows.length}>
              Render this page's images
            </button>
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

/** A row's image (seed 0, "sks person", 20 steps, half size): shown, rendering, failed, or a button to render it. */
function ThumbCell({ thumb, file, onRender }: { thumb?: Thumb; file: string; onRender: () => void }) {
  if (thumb === 'rendering') return <span className="hint">rendering…</span>;
  if (typeof thumb === 'string') return <img className="thumb" src={thumb} alt={`generated image: training identity ${file}`} />;
  return (
    <>
      {thumb && <span className="error">{thumb.error} </span>}
      <button aria-label={`Render image of training identity ${file}`} onClick={onRender}>
        Render
      </button>
    </>
  );
}
