// The main screen: generation settings and live preview, and the gallery of results.
import { Gallery } from './Gallery';
import { GeneratePanel } from './GeneratePanel';

export function CreateScreen() {
  return (
    <div className="screen create">
      <GeneratePanel />
      <Gallery />
    </div>
  );
}
