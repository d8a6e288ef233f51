// The shell: a tab bar over the screens; the model screen first until a model is loaded.
import { useEffect } from 'react';
import { checkCapabilities, planDownload } from './actions/model';
import { planSpace } from './actions/start';
import { CreateScreen } from './components/CreateScreen';
import { DirectionsScreen } from './components/DirectionsScreen';
import { InvertPanel } from './components/InvertPanel';
import { LibraryScreen } from './components/LibraryScreen';
import { ModelsScreen } from './components/ModelsScreen';
import { useApp, setApp, type Tab } from './store';
import { ModelStatus } from './components/ModelStatus';

const TABS: { id: Tab; label: string; needsModel: boolean }[] = [
  { id: 'models', label: 'Models', needsModel: false },
  { id: 'create', label: 'Create', needsModel: true },
  { id: 'invert', label: 'Invert', needsModel: true },
  { id: 'directions', label: 'Directions', needsModel: true },
  { id: 'library', label: 'Library', needsModel: true },
];

function DeviceNote() {
  const note = useApp((s) => s.deviceNote);
  if (!note) return null;
  return (
    <p role="status" className="note" data-testid="device-note">
      {note} <button onClick={() => setApp({ deviceNote: undefined })}>Dismiss</button>
    </p>
  );
}

export function App() {
  const tab = useApp((s) => s.tab);
  const ready = useApp((s) => s.phase === 'ready');
  useEffect(() => {
    void checkCapabilities().then(planDownload);
    void planSpace();
  }, []);
  return (
    <div className="app">
      <header>
        <h1>weights2weights</h1>
        <nav aria-label="screens" role="tablist">
          {TABS.map((t) => (
            <button
              key={t.id}
              role="tab"
              aria-selected={tab === t.id}
              disabled={t.needsModel && !ready}
              title={t.needsModel && !ready ? 'opens once a model is loaded (Models: Download)' : undefined}
              onClick={() => setApp({ tab: t.id })}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <ModelStatus />
        <DeviceNote />
      </header>
      <main>
        {tab === 'models' && <ModelsScreen />}
        {tab === 'create' && <CreateScreen />}
        {tab === 'invert' && <InvertPanel />}
        {tab === 'directions' && <DirectionsScreen />}
        {tab === 'library' && <LibraryScreen />}
      </main>
    </div>
  );
}
