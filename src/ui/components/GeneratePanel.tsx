// Prompt, negative prompt, seed (with a dice), steps, guidance, scheduler, size; live preview while denoising.
import { cancelJob, generateImage } from '../actions/generate';
import { setGen, useApp, type IdentityInput } from '../store';
import { useTransitionStore } from '../use-transition-store';
import { NumberField } from './NumberField';
import { SizeSelect } from './SizeSelect';

export function GeneratePanel({ identity }: { identity?: () => Promise<IdentityInput> }) {
  const gen = useApp((s) => s.gen);
  const model = useApp((s) => s.model);
  const generating = useApp((s) => s.generating);
  const preview = useTransitionStore(useApp, (s) => s.preview);
  const error = useApp((s) => s.genError);
  const run = async () => void generateImage(identity ? await identity() : undefined);
  return (
    <section aria-labelledby="gen-h" className="panel generate">
      <h2 id="gen-h">Generate</h2>
      <div className="form">
        <label>
          Prompt
          <textarea rows={2} value={gen.prompt} onChange={(e) => setGen({ prompt: e.target.value })} />
        </label>
        <label>
          Negative prompt
          <textarea rows={2} value={gen.negative} onChange={(e) => setGen({ negative: e.target.value })} />
        </label>
        <div className="row">
          <NumberField label="Seed" value={gen.seed} min={0} max={2 ** 32 - 1} step={1} onChange={(seed) => setGen({ seed })} />
          <button type="button" aria-label="Random seed" title="Random seed" onClick={() => setGen({ seed: Math.floor(Math.random() * 2 ** 32) })}>
            Random
          </button>
        </div>
        <div className="row">
          <NumberField label="Steps" value={gen.steps} min={1} max={200} step={1} onChange={(steps) => setGen({ steps })} />
          <NumberField label="Guidance" value={gen.guidance} min={0} max={20} step={0.5} onChange={(guidance) => setGen({ guidance })} />
        </div>
        <div className="row">
          <label>
            Scheduler
            <select value={gen.scheduler} onChange={(e) => setGen({ scheduler: e.target.value as 'pndm' | 'ddim' })}>
              <option value="pndm">PNDM (PLMS)</option>
              <option value="ddim">DDIM</option>
            </select>
          </label>
          <SizeSelect label="Size" value={gen.width} onChange={(v) => setGen({ width: v, height: v })} />
        </div>
        <div className="row">
          <button className="primary" onClick={() => void run()} disabled={!model || generating}>
            Generate
          </button>
          {generating && <button onClick={cancelJob}>Cancel</button>}
        </div>
        {error && <p role="alert" className="error">{error}</p>}
      </div>
      {generating && (
        <figure className="live" aria-live="polite">
          {preview ? <img src={preview.url} alt={`preview, step ${preview.step} of ${preview.total}`} /> : <div className="placeholder">starting…</div>}
          <figcaption>
            <progress aria-label="denoising" max={preview?.total ?? 1} value={preview?.step ?? 0} /> step {preview?.step ?? 0} / {preview?.total ?? gen.steps}
          </figcaption>
        </figure>
      )}
    </section>
  );
}
