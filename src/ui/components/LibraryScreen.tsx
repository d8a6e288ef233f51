// The identity library: every saved identity with its thumbnail; load, rename, duplicate, delete (with Undo);
// below it, the space's training identities and building a space from LoRAs.
import { useEffect, useMemo, useState } from 'react';
import type { IdentityRecord } from '../../engine/space/library';
import { deleteIdentity, duplicateIdentity, loadIdentity, renameIdentity, undoDelete } from '../actions/library';
import { refreshLibrary } from '../actions/library-list';
import { describeEdits } from '../format';
import { useIdentity } from '../identity-store';
import { setApp } from '../store';
import { BuildSpace } from './BuildSpace';
import { TrainingBrowser } from './TrainingBrowser';

export function LibraryScreen() {
  const { library, libraryError, deleted } = useIdentity();
  useEffect(() => void refreshLibrary(), []);
  return (
    <div className="screen">
      <section aria-labelledby="library-h" className="panel library">
        <h2 id="library-h">Identity library</h2>
        {libraryError && (
          <p role="alert" className="error">
            {libraryError}
          </p>
        )}
        {deleted && (
          <p role="status" data-testid="deleted-note">
            Deleted {deleted.name}. <button onClick={() => void undoDelete()}>Undo</button>
          </p>
        )}
        {!library.length && <p className="hint">Saved identities appear here (kept in this browser).</p>}
        <ul aria-label="saved identities">
          {library.map((r) => (
            <Entry key={r.id} rec={r} />
          ))}
        </ul>
      </section>
      <TrainingBrowser />
      <BuildSpace />
    </div>
  );
}

function Entry({ rec }: { rec: IdentityRecord }) {
  const [name, setName] = useState(rec.name);
  const thumb = useMemo(() => (rec.thumbnail ? URL.createObjectURL(new Blob([rec.thumbnail as Uint8Array<ArrayBuffer>], { type: 'image/png' })) : undefined), [rec.thumbnail]);
  useEffect(() => () => void (thumb && URL.revokeObjectURL(thumb)), [thumb]);
  const edits = describeEdits(rec.settings);
  return (
    <li data-testid="library-entry">
      {thumb ? <img src={thumb} alt={`thumbnail of ${rec.name}`} /> : <span className="placeholder" />}
      <input aria-label={`name of ${rec.name}`} value={name} onChange={(e) => setName(e.target.value)} />
      <button onClick={() => void renameIdentity(rec.id, name)} aria-label={`Rename ${rec.name}`} disabled={name.trim() === rec.name || !name.trim()}>
        Rename
      </button>
      <button
        onClick={() => {
          loadIdentity(rec.id);
          setApp({ tab: 'create' });
        }}
        aria-label={`Load ${rec.name}`}
      >
        Load
      </button>
      <button onClick={() => void duplicateIdentity(rec.id)} aria-label={`Duplicate ${rec.name}`}>
        Duplicate
      </button>
      <button onClick={() => void deleteIdentity(rec.id)} aria-label={`Delete ${rec.name}`}>
        Delete
      </button>
      <span className="hint">
        k = {rec.k} · {new Date(rec.created).toLocaleString()}
      </span>
      {edits && (
        <span className="hint" data-testid="library-edits">
          {edits}
        </span>
      )}
    </li>
  );
}
