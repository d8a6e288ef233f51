// The w2w space: stored in this browser, or imported once from the hub/mirror or from dropped files.
import { importSpace, importSpaceFiles } from '../actions/space';
import { formatBytes } from '../format';
import { useIdentity } from '../identity-store';
import { useApp } from '../store';
import { FileButton } from './FileButton';
import { SpaceOptions } from './SpaceOptions';

export function SpaceImport() {
  const { space, spacePhase, spaceProgress, spaceError, spaceK, spaceFp16 } = useIdentity();
  const source = useApp((s) => s.sources.space);
  if (space)
    return (
      <p className="hint" data-testid="space-ready">
        Space: {space.models} training identities, {space.k} of {space.components} components, {space.columns.length} attributes.
      </p>
    );
  const opts = { k: spaceK, fp16: spaceFp16 };
  const importing = spacePhase === 'importing';
  return (
    <div className="space-import">
      <p>
        Sampling and editing need the w2w space (<code>{source}</code>). <code>V.pt</code> stores its components row by row, so
        the whole file is streamed through once (about 4 GB for the released space); only its first k columns are kept.
      </p>
      <SpaceOptions disabled={importing} />
      <div className="row">
        <button onClick={() => void importSpace(opts)} disabled={importing}>
          Import space
        </button>
        <FileButton
          label="From files…"
          multiple
          accept=".pt"
          onFiles={(files) => void importSpaceFiles(new Map(files.map((f) => [f.name, f])), 'dropped files', opts)}
        />
      </div>
      {importing && !spaceProgress && <p data-testid="space-importing">reading the space files…</p>}
      {spacePhase === 'importing' && spaceProgress && (
        <p>
          {spaceProgress.file}: <progress aria-label={`${spaceProgress.file} read`} max={spaceProgress.total || 1} value={spaceProgress.done} />{' '}
          {formatBytes(spaceProgress.done)} / {formatBytes(spaceProgress.total)}
        </p>
      )}
      {spaceError && (
        <p role="alert" className="error">
          {spaceError}
        </p>
      )}
    </div>
  );
}
