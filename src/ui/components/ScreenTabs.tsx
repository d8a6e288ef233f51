// The screen tabs as the WAI-ARIA tabs pattern: one Tab stop (the selected tab), Left/Right/Home/End move
// between enabled tabs and select them; each tab controls the one tabpanel App renders.
import { useRef, type KeyboardEvent } from 'react';
import { setApp, useApp, type Tab } from '../store';
import { tabKeyTarget } from '../tab-keys';

export const TABS: { id: Tab; label: string; needsModel: boolean }[] = [
  { id: 'models', label: 'Models', needsModel: false },
  { id: 'create', label: 'Create', needsModel: true },
  { id: 'invert', label: 'Invert', needsModel: true },
  { id: 'directions', label: 'Directions', needsModel: true },
  { id: 'library', label: 'Library', needsModel: true },
];

export const tabId = (t: Tab) => `tab-${t}`;
export const panelId = (t: Tab) => `panel-${t}`;

export function ScreenTabs() {
  const tab = useApp((s) => s.tab);
  const ready = useApp((s) => s.phase === 'ready');
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const enabled = TABS.map((t) => !t.needsModel || ready);
  const onKey = (e: KeyboardEvent, i: number) => {
    const to = tabKeyTarget(e.key, i, enabled);
    if (to === undefined) return;
    e.preventDefault();
    setApp({ tab: TABS[to].id });
    buttons.current[to]?.focus();
  };
  return (
    <div role="tablist" aria-label="screens" className="tabs">
      {TABS.map((t, i) => (
        <button
          key={t.id}
          ref={(b) => void (buttons.current[i] = b)}
          role="tab"
          id={tabId(t.id)}
          aria-selected={tab === t.id}
          aria-controls={panelId(t.id)}
          tabIndex={tab === t.id ? 0 : -1}
          disabled={!enabled[i]}
          title={enabled[i] ? undefined : 'opens once a model is loaded (Models: Download)'}
          onClick={() => setApp({ tab: t.id })}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
