// Header status: which model is loaded, where it runs.
import { useApp } from '../store';

export function ModelStatus() {
  const model = useApp((s) => s.model);
  const phase = useApp((s) => s.phase);
  const preparing = useApp((s) => s.preparing);
  if (phase === 'ready' && model)
    return (
      <p className="status" data-testid="model-ready" title={model.source}>
        {model.source.replace(/\/resolve\/main$/, '').split('/').slice(-2).join('/')} · {model.provider} · {model.precision}
        {preparing?.length ? <span data-testid="preparing"> · preparing {preparing.join(', ')}…</span> : null}
      </p>
    );
  const text = STATUS[phase];
  return <p className="status">{text}</p>;
}

const STATUS: Record<string, string> = { idle: '', ready: '', planning: 'checking model…', planned: 'model not downloaded', downloading: 'downloading…', loading: 'loading model…', error: 'model error' };
