// First run: what this browser can do, where the model comes from, and the download.
import { CapabilityPanel } from './CapabilityPanel';
import { DownloadPanel } from './DownloadPanel';
import { NeedsPanel } from './NeedsPanel';
import { SourcesForm } from './SourcesForm';

export function ModelsScreen() {
  return (
    <div className="screen models">
      <CapabilityPanel />
      <SourcesForm />
      <DownloadPanel />
      <NeedsPanel />
    </div>
  );
}
