// Export the identity: w2w coefficients (.pt), PEFT/diffusers, kohya (A1111, ComfyUI), diffusers LoRA.
import { useState } from 'react';
import type { ExportFormat } from '../../engine/space/transfer';
import { exportIdentity, type ExportResult } from '../actions/export';
import { formatBytes } from '../format';

const FORMATS: { id: ExportFormat; label: string }[] = [
  { id: 'w2w', label: 'w2w model (<name>.w2w.pt)' },
  { id: 'peft', label: 'PEFT (<name>-peft.zip: unet/adapter_model.safetensors + adapter_config.json)' },
  { id: 'kohya', label: 'kohya LoRA (<name>.safetensors: A1111, ComfyUI)' },
  { id: 'diffusers', label: 'diffusers LoRA (<name>.diffusers.safetensors)' },
];

export function ExportPanel() {
  const [format, setFormat] = useState<ExportFormat>('w2w');
  const [fp16, setFp16] = useState(false);
  const [result, setResult] = useState<ExportResult>();
  return (
    <section aria-labelledby="export-h" className="panel">
      <h2 id="export-h">Export identity</h2>
      <div className="form">
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
            {FORMATS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={fp16} disabled={format === 'w2w'} onChange={(e) => setFp16(e.target.checked)} /> half-precision weights
        </label>
        <div className="row">
          <button onClick={async () => setResult(await exportIdentity(format, fp16))}>Export</button>
        </div>
      </div>
      {result?.error && (
        <p role="alert" className="error">
          {result.error}
        </p>
      )}
      {result && !result.error && (
        <ul data-testid="exported">
          {result.files.map((f) => (
            <li key={f.name}>
              {f.name} ({formatBytes(f.bytes)})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
