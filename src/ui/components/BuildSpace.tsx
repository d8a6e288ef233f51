// "Build a space" (Library screen): LoRA files or a folder of them, an optional labels CSV and K; the space
// worker builds it (progress with ETA, Cancel), stores it and makes it current. The explained-variance curve
// is plotted; the official file set is offered as one zip and file by file.
import { useEffect, useMemo, useState } from 'react';
import { buildSpaceFromFiles, cancelBuild, useBuild } from '../actions/build-space';
import { formatBytes, formatSeconds } from '../format';
import { FileButton } from './FileButton';
import { FolderDrop } from './FolderDrop';

/** Keys below the picked folder: a folder picker's webkitRelativePath starts with the folder's own name. */
function below(files: Map<string, File>, name: string): Map<string, File> {
  const prefix = `${name}/`;
  return [...files.keys()].every((k) => k.startsWith(prefix)) ? new Map([...files].map(([k, f]) => [k.slice(prefix.length), f])) : files;
}

export function BuildSpace() {
  const { phase, progress, error, cancelling } = useBuild();
  const [loras, setLoras] = useState<{ files: Map<string, File>; name: string }>();
  const [labels, setLabels] = useState<File>();
  const [k, setK] = useState(10);
  const building = phase === 'building';
  const count = loras ? [...loras.files.keys()].filter((p) => p.endsWith('.safetensors')).length : 0;
  return (
    <section aria-labelledby="build-h" className="panel build-space">
      <h2 id="build-h">Build a space</h2>
      <p className="hint">
        From LoRAs of one base model with the same targets and rank (kohya, PEFT, diffusers): standardized per parameter, PCA to K
        components. The files are read again on every pass, never all held at once.
      </p>
      <div className="row">
        <FileButton label="LoRA files…" multiple accept=".safetensors,.json" onFiles={(list) => setLoras({ files: new Map(list.map((f) => [f.name, f])), name: 'selected-loras' })} />
        <FolderDrop
          onFolder={(files, name) => setLoras({ files: below(files, name), name })}
          prompt="Or drop a folder of LoRAs here"
          what="the LoRAs' folder"
          label="LoRA folder…"
        />
      </div>
      <p data-testid="build-loras">{loras ? `${count} LoRA files from ${loras.name}` : 'No LoRAs chosen.'}</p>
      <div className="row">
        <FileButton label="Labels CSV…" accept=".csv,text/csv" onFiles={([f]) => setLabels(f)} />
        <span className="hint" data-testid="build-labels">
          {labels ? labels.name : 'no labels (optional: one row per LoRA, a column per attribute)'}
        </span>
        <label>
          Components K <input type="number" min={1} step={1} value={k} onChange={(e) => setK(Math.max(1, Math.floor(Number(e.target.value) || 1)))} />
        </label>
      </div>
      <div className="row">
        <button disabled={!count || building} onClick={() => loras && void buildSpaceFromFiles(loras.files, loras.name, k, labels)}>
          Build space
        </button>
        {building && (
          <button onClick={cancelBuild} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel build'}
          </button>
        )}
      </div>
      {building && (
        <p data-testid="build-progress">
          {progress ? `pass ${progress.pass}/${progress.passes} (${progress.phase}): ${progress.done}/${progress.rows} LoRAs · ` : 'reading the LoRAs… '}
          <progress aria-label="build progress" max={1} value={progress?.fraction ?? 0} />
          {progress?.etaSeconds !== undefined && ` · ETA ${formatSeconds(progress.etaSeconds)}`}
        </p>
      )}
      {phase === 'cancelled' && <p role="status">Build cancelled: nothing was stored.</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {phase === 'done' && <Built />}
    </section>
  );
}

function Built() {
  const result = useBuild((s) => s.result)!;
  const links = useMemo(
    () => [result.zip, ...result.files].map((f) => ({ name: f.name, size: f.blob.size, url: URL.createObjectURL(f.blob) })),
    [result],
  );
  useEffect(() => () => links.forEach((l) => URL.revokeObjectURL(l.url)), [links]);
  const { summary, notes } = result;
  return (
    <div data-testid="build-result">
      <p role="status">
        Built and made current: {summary.id} · {summary.models} LoRAs, K = {summary.k}, {summary.columns.length} attribute{summary.columns.length === 1 ? '' : 's'}.
      </p>
      {notes.map((n) => (
        <p key={n} className="hint" data-testid="build-note">
          Note: {n}
        </p>
      ))}
      <VarianceCurve cumulative={result.cumulative} explained={result.explained} />
      <ul aria-label="built space files">
        {links.map((l, i) => (
          <li key={l.name}>
            <a href={l.url} download={l.name}>
              {i === 0 ? `Download all (${l.name})` : l.name}
            </a>{' '}
            <span className="hint">{formatBytes(l.size)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const W = 240;
const H = 80;

/** Cumulative explained variance per component (bars: each component's own share). */
function VarianceCurve({ cumulative, explained }: { cumulative: number[]; explained: number[] }) {
  const n = cumulative.length;
  const x = (i: number) => (n > 1 ? (i / (n - 1)) * W : W / 2);
  const y = (v: number) => H - v * H;
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
  const label = `explained variance: top ${n} component${n === 1 ? '' : 's'} explain ${pct(cumulative[n - 1] ?? 0)}, the first ${pct(explained[0] ?? 0)}`;
  return (
    <figure className="variance-curve">
      <svg data-testid="variance-curve" data-cumulative={cumulative.join(',')} viewBox={`-4 -4 ${W + 8} ${H + 8}`} role="img" aria-label={label}>
        {explained.map((e, i) => (
          <rect key={i} x={x(i) - 1.5} y={y(e)} width={3} height={H - y(e)} fill="#9bb8e8" />
        ))}
        <polyline fill="none" stroke="#0a5fd6" strokeWidth={1.5} points={cumulative.map((c, i) => `${x(i).toFixed(1)},${y(c).toFixed(1)}`).join(' ')} />
        <line x1={0} y1={H} x2={W} y2={H} stroke="#888" />
      </svg>
      <figcaption className="hint">Explained variance per component (bars) and cumulative (line), 0–100%.</figcaption>
    </figure>
  );
}
