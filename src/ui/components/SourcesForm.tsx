// Model source: the hub (or a mirror with the hub's layout), or a diffusers folder from this computer.
import { useState, type FormEvent } from 'react';
import { planDownload, setSources } from '../actions/model';
import { planSpace } from '../actions/start';
import { autoPrecision, DEFAULT_SOURCES } from '../config';
import { setApp, useApp, type PrecisionChoice } from '../store';
import { FolderDrop } from './FolderDrop';

export function SourcesForm() {
  const sources = useApp((s) => s.sources);
  const precision = useApp((s) => s.precision);
  const caps = useApp((s) => s.caps);
  const [draft, setDraft] = useState(sources);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSources({ hub: draft.hub.trim(), model: draft.model.trim(), space: draft.space.trim() });
    void planDownload();
    void planSpace();
  };
  const field = (key: keyof typeof draft, label: string) => (
    <label>
      {label}
      <input value={draft[key]} placeholder={DEFAULT_SOURCES[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
    </label>
  );
  return (
    <section aria-labelledby="sources-h" className="panel">
      <h2 id="sources-h">Model source</h2>
      <form onSubmit={submit} className="form">
        {field('hub', 'Hub or mirror URL')}
        {field('model', 'Stable Diffusion repo')}
        {field('space', 'w2w space (repo/folder)')}
        <label>
          Precision
          <select value={precision} onChange={(e) => setApp({ precision: e.target.value as PrecisionChoice })}>
            <option value="auto">{caps ? `auto: ${autoPrecision(caps)} here (${caps.provider !== 'webgpu' ? 'no WebGPU' : caps.shaderF16 ? 'shader-f16' : 'no shader-f16'})` : 'auto (fp16 with shader-f16)'}</option>
            <option value="fp32">fp32</option>
            <option value="fp16">fp16</option>
          </select>
        </label>
        <button type="submit">Check sizes</button>
      </form>
      <p className="hint">A mirror must serve files as <code>&lt;URL&gt;/&lt;repo&gt;/resolve/main/&lt;path&gt;</code>, like the hub. Also settable as <code>?hub=URL</code>.</p>
      <FolderDrop />
    </section>
  );
}
