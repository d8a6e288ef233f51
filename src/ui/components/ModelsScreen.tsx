// First run: what this browser can do, where the model comes from, and the download.
import { CapabilityPanel } from './CapabilityPanel';
import { DownloadPanel } from './DownloadPanel';
import { NeedsPanel } from './NeedsPanel';
import { SourcesForm } from './SourcesForm';
import { StartPanel } from './StartPanel';

export function ModelsScreen() {
  return (
    <div className="screen models">
      <StartPanel />
      <DownloadPanel />
      <CapabilityPanel />
      <SourcesForm />
      <NeedsPanel />
    </div>
  );
}
