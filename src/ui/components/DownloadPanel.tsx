// Download details: the files of the model with their sizes and how each is checked (SHA-256 where the server names one, else
// size and header), then per-file progress (bytes, speed, ETA) while downloading.
import { clearModelCache, retry } from '../actions/model';
import { benchUrl } from '../config';
import { formatBytes, formatSeconds, formatSpeed } from '../format';
import { useApp } from '../store';
import { ConfirmButton } from './ConfirmButton';
import { SpaceStorage } from './SpaceStorage';
import { TableScroll } from './TableScroll';

export function DownloadPanel() {
  const { phase, plan, progress, modelError, model, sources } = useApp();
  return (
    <section aria-labelledby="download-h" className="panel">
      <h2 id="download-h">Download</h2>
      {phase === 'planning' && <p>asking the server for file sizes…</p>}
      {plan && (
        <>
          <p data-testid="download-total" data-bytes={plan.total}>
            Total {formatBytes(plan.total)}
            {plan.cached > 0 && `, ${formatBytes(plan.cached)} already cached`}
            {plan.variant && ` (${plan.variant} weights)`}
          </p>
          {!plan.files.some((f) => f.sha256) && (
            <p className="note" data-testid="hash-note">no content hash from this mirror: checked by size and header</p>
          )}
          <details className="files">
            <summary>Files ({plan.files.length})</summary>
          <TableScroll label="model files">
            <table className="files">
              <thead>
                <tr><th>file</th><th>size</th><th>check</th><th>progress</th><th>speed</th><th>left</th></tr>
              </thead>
              <tbody>
                {plan.files.map((f) => {
                  const p = progress[f.path];
                  const done = p?.loaded ?? f.cached;
                  return (
                    <tr key={f.path} className={p?.state ?? (f.cached === f.size ? 'done' : '')}>
                      <td>{f.path}</td>
                      <td>{formatBytes(f.size)}</td>
                      <td data-testid="file-check" data-sha256={p?.state === 'done' ? p.sha256 : undefined} title={f.sha256}>
                        {f.sha256 ? `SHA-256${p?.state === 'done' ? ' ✓' : ''}` : 'size + header'}
                      </td>
                      <td>
                        <progress aria-label={`${f.path} downloaded`} max={f.size || 1} value={f.size ? done : 1} />
                        {p?.state === 'checking' ? ' checking' : ''}
                      </td>
                      <td>{p?.state === 'downloading' ? formatSpeed(p.bytesPerSecond) : ''}</td>
                      <td>{p?.state === 'downloading' ? formatSeconds(p.eta) : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
          </details>
        </>
      )}
      {phase === 'loading' && <p>loading the model…</p>}
      {phase === 'ready' && model && (
        <p>
          Ready: {model.source} on {model.provider}, {model.precision}.{' '}
          {/* A model from a hub or mirror is in the cache the benchmark page reads; a local folder is not. */}
          {model.source.includes('/resolve/') && (
            <a href={benchUrl(sources, model.precision)} data-testid="bench-link">Benchmark it on this GPU</a>
          )}
        </p>
      )}
      {modelError && (
        <p role="alert" className="error" data-testid="model-error">
          {modelError}
        </p>
      )}
      <div className="row">
        {phase === "error" && <button onClick={() => void retry()}>Retry</button>}
        <ConfirmButton
          label="Clear cache"
          question="Delete this model's downloaded files?"
          onConfirm={() => void clearModelCache()}
          disabled={phase === 'downloading'}
        />
        <SpaceStorage />
      </div>
    </section>
  );
}
