// The result on top (live preview, newest image, before/after), then prompt (with a hint when it lacks the
// identity's "sks person"), negative prompt, seed (with a dice), steps, guidance, scheduler, size.
import { cancelJob, generateImage } from '../actions/generate';
import { setGen, useApp, type IdentityInput } from '../store';
import { useIdentity } from '../identity-store';
import { useTransitionStore } from '../use-transition-store';
import { NumberField } from './NumberField';
import { ResultView } from './ResultView';
import { RunAnnouncer } from './RunAnnouncer';
import { SizeSelect } from './SizeSelect';

const SKS = /\bsks person\b/i;

/** Its own component: the preview changes every step, and only the announcement needs it here. */
function GenerationAnnouncer() {
  const generating = useApp((s) => s.generating);
  const error = useApp((s) => s.genError);
  const steps = useApp((s) => s.gen.steps);
  const preview = useTransitionStore(useApp, (s) => s.preview);
  return (
    <RunAnnouncer
      label="generation"
      running={generating}
      failed={!!error && error !== 'cancelled'}
      cancelled={error === 'cancelled'}
      done={preview?.step ?? 0}
      total={preview?.total ?? steps}
    />
  );
}

export function GeneratePanel({ identity }: { identity?: () => Promise<IdentityInput> }) {
  const gen = useApp((s) => s.gen);
  const model = useApp((s) => s.model);
  const generating = useApp((s) => s.generating);
  const hasIdentity = useIdentity((s) => !!s.identity);
  const error = useApp((s) => s.genError);
  const run = async () => void generateImage(identity ? await identity() : undefined);
  return (
    <section aria-labelledby="gen-h" className="panel generate">
      <h2 id="gen-h">Generate</h2>
      <ResultView />
      <div className="form">
        <label>
          Prompt
          <textarea rows={2} value={gen.prompt} onChange={(e) => setGen({ prompt: e.target.value })} />
        </label>
        {hasIdentity && !SKS.test(gen.prompt) && (
          <p className="hint" data-testid="sks-hint">
            The identity is bound to the words “sks person”: without them the prompt gets the base model's idea of a person.
          </p>
        )}
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
      <GenerationAnnouncer />
    </section>
  );
}
