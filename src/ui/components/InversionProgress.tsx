// A run in progress: step and ETA, the loss curve, the latest preview image.
import { useInvert } from '../invert-store';

const seconds = (ms?: number) => (ms === undefined ? '…' : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

export function InversionProgress() {
  const { phase, step, total, etaMs, msPerStep, losses, preview } = useInvert();
  if (!losses.length && phase !== 'running') return null;
  const latest = losses[losses.length - 1];
  return (
    <div className="inversion-progress">
      <progress aria-label="inversion" max={total || 1} value={step} />
      <p data-testid="inversion-status">
        {/* Before the first step the gradient sessions are being built (seconds to minutes on a full model). */}
        {phase === 'running' && step === 0 && !latest ? 'preparing the gradient step… ' : <>step <span data-testid="invert-step">{step}</span> / {total || '…'}</>}
        {latest !== undefined && <> · loss <span data-testid="inversion-loss">{latest.toFixed(5)}</span></>}
        {phase === 'running' && step > 0 && <> · {msPerStep !== undefined ? `${Math.round(msPerStep)} ms/step · ` : ''}ETA {etaMs === undefined ? 'after the next step' : seconds(etaMs)}</>}
      </p>
      <LossCurve losses={losses} />
      {preview && (
        <figure>
          <img src={preview.url} alt={`generated image: inversion preview, step ${preview.step}`} data-testid="invert-preview" />
          <figcaption>
            preview after step {preview.step} (fixed seed)
            {preview.score !== undefined && <span data-testid="preview-score"> · identity score {preview.score.toFixed(2)}{preview.score === 0 ? ' (no face drawn)' : ''}</span>}
          </figcaption>
        </figure>
      )}
    </div>
  );
}

/** The loss per step as a line, scaled to its range. */
function LossCurve({ losses }: { losses: number[] }) {
  const W = 320;
  const H = 100;
  if (!losses.length) return null;
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  const x = (i: number) => (losses.length === 1 ? W / 2 : (i * W) / (losses.length - 1));
  const y = (v: number) => (hi === lo ? H / 2 : H - ((v - lo) * H) / (hi - lo));
  const points = losses.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <svg className="loss-curve" data-testid="loss-curve" data-points={losses.length} viewBox={`-4 -4 ${W + 8} ${H + 8}`} role="img" aria-label={`loss over ${losses.length} steps: first ${losses[0].toFixed(4)}, last ${losses[losses.length - 1].toFixed(4)}, lowest ${lo.toFixed(4)}`}>
      <polyline points={points} fill="none" stroke="#0a5fd6" strokeWidth="1.5" />
      {losses.length === 1 && <circle cx={x(0)} cy={y(losses[0])} r="3" fill="#0a5fd6" />}
    </svg>
  );
}
