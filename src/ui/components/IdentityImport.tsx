// Import an identity (w2w .pt, PEFT adapter + adapter_config.json, kohya or diffusers LoRA) into the space.
import { importIdentityFiles } from '../actions/identity-import';
import { useIdentity } from '../identity-store';
import { FileButton } from './FileButton';

export function IdentityImport() {
  const note = useIdentity((s) => s.importNote);
  return (
    <div className="identity-import">
      <FileButton label="Import identity…" multiple accept=".pt,.safetensors,.json" onFiles={(files) => void importIdentityFiles(files)} />
      <span className="hint"> w2wmodel.pt, a PEFT adapter_model.safetensors with its adapter_config.json, or a kohya/diffusers LoRA</span>
      {note && (
        <p data-testid="import-note" role={note.error ? 'alert' : 'status'} className={note.error ? 'error' : undefined}>
          {note.text}
        </p>
      )}
    </div>
  );
}
