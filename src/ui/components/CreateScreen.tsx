// The main screen: identity and its edits on the left; generation with its result (live preview, newest image,
// before/after) on the right; the gallery's history below.
import { identityInput } from '../actions/space';
import { useIdentity } from '../identity-store';
import { AttributeSliders } from './AttributeSliders';
import { CompareView } from './CompareView';
import { DirectionsPanel } from './DirectionsPanel';
import { ExportPanel } from './ExportPanel';
import { Gallery } from './Gallery';
import { GeneratePanel } from './GeneratePanel';
import { IdentityPanel } from './IdentityPanel';
import { SharePanel } from './SharePanel';

export function CreateScreen() {
  const hasIdentity = useIdentity((s) => !!s.identity);
  return (
    <div className="screen create">
      <div className="create-controls">
        <IdentityPanel />
        <AttributeSliders />
        {hasIdentity && <DirectionsPanel />}
        {hasIdentity && <CompareView />}
        {hasIdentity && <ExportPanel />}
        {hasIdentity && <SharePanel />}
      </div>
      {/* Beside the controls and sticky: results stay in view while sliders are moved. */}
      <div className="create-result">
        <GeneratePanel identity={() => identityInput(true)} />
      </div>
      <Gallery />
    </div>
  );
}
