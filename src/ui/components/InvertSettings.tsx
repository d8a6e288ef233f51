// Preset (photo / painting), steps and image size; under Advanced every other value the preset sets (each
// overridable), checkpoint and preview cadence.
import { PRESETS, type PresetName } from '../../engine/invert/settings';
import { useIdentity } from '../identity-store';
import { setInvert, useInvert, type Overrides } from '../invert-store';
import { Advanced } from './Advanced';
import { NumberField } from './NumberField';
import { SizeSelect } from './SizeSelect';

export function InvertSettings({ disabled }: { disabled: boolean }) {
  const { preset, overrides, size, checkpointEvery, previewEvery, previewSteps, scorePreviews } = useInvert();
  const k = useIdentity((s) => s.space?.k);
  const p = PRESETS[preset];
  // What a run would use: the override, else the preset's (components capped by the space, as the worker does).
  const value = (key: keyof Overrides, fallback: number) => overrides[key] ?? fallback;
  const set = (key: keyof Overrides) => (v: number) => setInvert((s) => ({ overrides: { ...s.overrides, [key]: v } }));
  const components = value('components', k ? Math.min(p.components, k) : p.components);
  return (
    <fieldset className="form invert-settings" disabled={disabled}>
      <legend>Settings</legend>
      <label>
        Preset
        <select value={preset} onChange={(e) => setInvert({ preset: e.target.value as PresetName, overrides: {} })}>
          <option value="photo">photo (10000 PCs, 400 steps, lr 0.1)</option>
          <option value="painting">painting (1000 PCs, 800 steps, lr 1, no decay)</option>
        </select>
      </label>
      <div className="row">
        <NumberField label="Inversion steps" value={value('steps', p.steps)} min={1} max={100000} step={1} onChange={set('steps')} />
        <SizeSelect label="Image size" value={size} onChange={(v) => setInvert({ size: v })} />
      </div>
      <Advanced what="optimiser, checkpoints, previews">
        <div className="row">
          <NumberField label="Components" value={components} min={1} max={k ?? 100000} step={1} onChange={set('components')} />
          <NumberField label="Seed" value={value('seed', 0)} min={0} max={2 ** 31 - 1} step={1} onChange={set('seed')} />
        </div>
        <div className="row">
          <NumberField label="Learning rate" value={value('lr', p.lr)} min={1e-6} max={100} step={0.01} onChange={set('lr')} />
          <NumberField label="Weight decay" value={value('weightDecay', p.weightDecay)} min={0} max={1} step={1e-10} onChange={set('weightDecay')} />
        </div>
        <div className="row">
          {/* Adam's betas must stay below 1 (the bias correction divides by 1 − βᵗ). */}
          <NumberField label="Adam β1" value={value('beta1', p.beta1)} min={0} max={0.999999} step={0.001} onChange={set('beta1')} />
          <NumberField label="Adam β2" value={value('beta2', p.beta2)} min={0} max={0.999999} step={0.0001} onChange={set('beta2')} />
          <NumberField label="Adam eps" value={value('eps', p.eps)} min={0} max={1} step={1e-9} onChange={set('eps')} />
        </div>
        <div className="row">
          <NumberField label="Checkpoint every" value={checkpointEvery} min={1} max={1000} step={1} onChange={(v) => setInvert({ checkpointEvery: v })} />
          <NumberField label="Preview every" value={previewEvery} min={0} max={1000} step={1} onChange={(v) => setInvert({ previewEvery: v })} />
          <NumberField label="Preview steps" value={previewSteps} min={1} max={100} step={1} onChange={(v) => setInvert({ previewSteps: v })} />
        </div>
        <label>
          <input type="checkbox" checked={scorePreviews} disabled={previewEvery === 0} onChange={(e) => setInvert({ scorePreviews: e.target.checked })} />
          Score each preview against the photo's face (slower; keeps the best step to restore)
        </label>
      </Advanced>
    </fieldset>
  );
}
