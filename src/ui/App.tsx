// The shell: a tab bar over the screens; the model screen first until a model is loaded.
import { useEffect } from 'react';
import { checkCapabilities, planDownload } from './actions/model';
import { planSpace } from './actions/start';
import { CreateScreen } from './components/CreateScreen';
import { DirectionsScreen } from './components/DirectionsScreen';
import { InvertPanel } from './components/InvertPanel';
import { LibraryScreen } from './components/LibraryScreen';
import { ModelsScreen } from './components/ModelsScreen';
import { useApp, setApp } from './store';
import { ModelStatus } from './components/ModelStatus';
import { LinkNote } from './components/LinkNote';
import { panelId, ScreenTabs, tabId } from './components/ScreenTabs';

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
  useEffect(() => {
    void checkCapabilities().then(planDownload);
    void planSpace();
  }, []);
  return (
    <div className="app">
      <header>
        <h1>weights2weights</h1>
        <ScreenTabs />
        <ModelStatus />
        <DeviceNote />
        <LinkNote />
      </header>
      <main>
        {/* Focusable (APG tabs): a screen starts with a heading, so Tab from the tabs lands on the panel. */}
        <div role="tabpanel" id={panelId(tab)} aria-labelledby={tabId(tab)} tabIndex={0}>
          {tab === 'models' && <ModelsScreen />}
          {tab === 'create' && <CreateScreen />}
          {tab === 'invert' && <InvertPanel />}
          {tab === 'directions' && <DirectionsScreen />}
          {tab === 'library' && <LibraryScreen />}
        </div>
      </main>
    </div>
  );
}
