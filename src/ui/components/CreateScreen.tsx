// The main screen: identity and its edits, generation with live preview, before/after, export, gallery.
import { identityInput } from '../actions/space';
import { useIdentity } from '../identity-store';
import { AttributeSliders } from './AttributeSliders';
import { CompareView } from './CompareView';
import { DirectionsPanel } from './DirectionsPanel';
import { ExportPanel } from './ExportPanel';
import { Gallery } from './Gallery';
import { GeneratePanel } from './GeneratePanel';
import { IdentityPanel } from './IdentityPanel';

export function CreateScreen() {
  const hasIdentity = useIdentity((s) => !!s.identity);
  return (
    <div className="screen create">
      <IdentityPanel />
      <AttributeSliders />
      <GeneratePanel identity={() => identityInput(true)} />
      {hasIdentity && <DirectionsPanel />}
      {hasIdentity && <CompareView />}
      {hasIdentity && <ExportPanel />}
      <Gallery />
    </div>
  );
}
