// Where results appear, at the top of the Generate panel: the live preview while denoising, then the newest
// image (the gallery below keeps the history), or before/after as one image with a slider between the two.
import { useEffect, useRef, useState } from 'react';
import { useIdentity } from '../identity-store';
import { useApp } from '../store';
import { useTransitionStore } from '../use-transition-store';
import { altText } from './Gallery';

export function ResultView() {
  const generating = useApp((s) => s.generating);
  const preview = useTransitionStore(useApp, (s) => s.preview);
  const newest = useApp((s) => s.gallery[0]);
  const compare = useIdentity((s) => s.compare);
  const figure = useRef<HTMLElement>(null);
  // A new result is brought into view inside the result column (which may have been scrolled to the form).
  // A block body: newer Chromium returns a promise from scrollIntoView, which React would call as a cleanup.
  useEffect(() => {
    void figure.current?.scrollIntoView?.({ block: 'nearest' });
  }, [generating, newest?.id]);
  if (generating)
    return (
      <figure className="result live" ref={figure}>
        {preview ? <img src={preview.url} alt={`preview, step ${preview.step} of ${preview.total}`} /> : <div className="placeholder">starting…</div>}
        <figcaption>
          {/* A percentage: PNDM's warm-up makes "Steps 20" 21 UNet steps, which read as a wrong count. */}
          <progress aria-label="denoising" max={preview?.total ?? 1} value={preview?.step ?? 0} /> denoising{' '}
          {preview ? Math.round((100 * preview.step) / preview.total) : 0} %
        </figcaption>
      </figure>
    );
  // Before/after shows until a newer image comes.
  if (compare && newest?.url === compare.after) return <BeforeAfter before={compare.before} after={compare.after} />;
  if (!newest) return <div className="result placeholder">Sample an identity or press Generate: the image appears here.</div>;
  return (
    <figure className="result" data-testid="result" ref={figure}>
      <img src={newest.url} alt={altText(newest)} width={newest.width} height={newest.height} />
      <figcaption>
        <strong>{newest.identity}</strong> · seed {newest.settings.seed} · {newest.settings.steps} steps · {(newest.ms / 1000).toFixed(1)} s
      </figcaption>
    </figure>
  );
}

/** The two images over each other; the slider uncovers "after" from the right. */
function BeforeAfter({ before, after }: { before: string; after: string }) {
  const [split, setSplit] = useState(50);
  return (
    <figure className="result compare" data-testid="before-after">
      <div className="stack">
        <img src={before} alt="generated image before the edits" />
        <img src={after} alt="generated image after the edits" style={{ clipPath: `inset(0 0 0 ${split}%)` }} />
      </div>
      <input type="range" min={0} max={100} value={split} aria-label="before / after split" onChange={(e) => setSplit(Number(e.target.value))} />
      <figcaption>before (left) · after (right)</figcaption>
    </figure>
  );
}
