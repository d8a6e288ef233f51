// The w2w space: stored in this browser, or imported once from the hub/mirror or from dropped files.
import { useState } from 'react';
import { importSpace, importSpaceFiles } from '../actions/space';
import { formatBytes } from '../format';
import { useIdentity } from '../identity-store';
import { useApp } from '../store';

export function SpaceImport() {
  const { space, spacePhase, spaceProgress, spaceError } = useIdentity();
  const source = useApp((s) => s.sources.space);
  const d = useApp((s) => s.model?.layout.size ?? 0);
  // Blank = the loader's default, min(1000, the columns V.pt has).
  const [k, setK] = useState<number | undefined>();
  const [fp16, setFp16] = useState(false);
  if (space)
    return (
      <p className="hint" data-testid="space-ready">
        Space: {space.models} training identities, {space.k} of {space.components} components, {space.columns.length} attributes.
      </p>
    );
  const opts = { k, fp16 };
  return (
    <div className="space-import">
      <p>
        Sampling and editing need the w2w space (<code>{source}</code>). <code>V.pt</code> stores its components row by row, so
        the whole file is streamed through once (about 4 GB for the released space); only its first k columns are kept in this
        browser ({formatBytes((k ?? 1000) * d * (fp16 ? 2 : 4))} at k = {k ?? 1000} for this model's {d} LoRA values).
      </p>
      <div className="row">
        <label>
          Components k
          <input
            type="number"
            min={1}
            max={10000}
            placeholder="1000"
            value={k ?? ''}
            onChange={(e) => setK(e.target.value ? Math.max(1, Math.round(Number(e.target.value)) || 1) : undefined)}
          />
        </label>
        <label>
          <input type="checkbox" checked={fp16} onChange={(e) => setFp16(e.target.checked)} /> store as fp16
        </label>
        <button onClick={() => void importSpace(opts)} disabled={spacePhase === 'importing'}>
          Import space
        </button>
        <label className="button">
          From files…
          <input
            type="file"
            multiple
            hidden
            accept=".pt"
            onChange={(e) => e.target.files?.length && void importSpaceFiles(new Map([...e.target.files].map((f) => [f.name, f])), 'dropped files', opts)}
          />
        </label>
      </div>
      {spacePhase === 'importing' && spaceProgress && (
        <p>
          {spaceProgress.file}: <progress aria-label={`${spaceProgress.file} read`} max={spaceProgress.total || 1} value={spaceProgress.done} />{' '}
          {formatBytes(spaceProgress.done)} / {formatBytes(spaceProgress.total)}
        </p>
      )}
      {spacePhase === 'importing' && !spaceProgress && <p>reading the space files…</p>}
      {spaceError && (
        <p role="alert" className="error">
          {spaceError}
        </p>
      )}
    </div>
  );
}
