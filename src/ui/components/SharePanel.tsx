// "Copy link": the current identity as a URL (coefficients, space id, edit settings in the fragment).
import { useState } from 'react';
import { copyShareLink, type ShareResult } from '../actions/share';

export function SharePanel() {
  const [result, setResult] = useState<ShareResult>();
  return (
    <section aria-labelledby="share-h" className="panel">
      <h2 id="share-h">Share</h2>
      <p className="hint">A link that opens this identity with its edits in any browser that has the same space stored.</p>
      <div className="row">
        <button onClick={async () => setResult(await copyShareLink())}>Copy link</button>
      </div>
      {result?.error && (
        <p role="alert" className="error">
          {result.error}
        </p>
      )}
      {result?.url && (
        <>
          <label>
            Share link
            <input readOnly value={result.url} data-testid="share-link" onFocus={(e) => e.target.select()} />
          </label>
          <p role="status">{result.copied ? 'Copied to the clipboard.' : result.note}</p>
        </>
      )}
    </section>
  );
}
