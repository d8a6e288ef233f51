// Import an identity (w2w .pt, PEFT adapter + adapter_config.json, kohya or diffusers LoRA) into the space.
import { importIdentityFiles } from '../actions/identity-import';
import { useIdentity } from '../identity-store';

export function IdentityImport() {
  const note = useIdentity((s) => s.importNote);
  return (
    <div className="identity-import">
      <label className="button">
        Import identity…
        <input
          type="file"
          multiple
          hidden
          accept=".pt,.safetensors,.json"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = ''; // the same file can be picked again
            if (files.length) void importIdentityFiles(files);
          }}
        />
      </label>
      <span className="hint"> w2wmodel.pt, a PEFT adapter_model.safetensors with its adapter_config.json, or a kohya/diffusers LoRA</span>
      {note && (
        <p data-testid="import-note" role={note.error ? 'alert' : 'status'} className={note.error ? 'error' : undefined}>
          {note.text}
        </p>
      )}
    </div>
  );
}
