// How much of the w2w space to keep: k components (default 1000, as the official sampling) and fp16 storage.
import { formatBytes } from '../format';
import { setIdentity, useIdentity } from '../identity-store';
import { useApp } from '../store';

export function SpaceOptions({ disabled }: { disabled?: boolean }) {
  const k = useIdentity((s) => s.spaceK);
  const fp16 = useIdentity((s) => s.spaceFp16);
  const d = useApp((s) => s.model?.layout.size);
  return (
    <div className="row">
      <label>
        Components k
        <input
          type="number"
          min={1}
          max={10000}
          placeholder="1000"
          value={k ?? ''}
          disabled={disabled}
          onChange={(e) => setIdentity({ spaceK: e.target.value ? Math.max(1, Math.round(Number(e.target.value)) || 1) : undefined })}
        />
      </label>
      <label>
        <input type="checkbox" checked={fp16} disabled={disabled} onChange={(e) => setIdentity({ spaceFp16: e.target.checked })} /> store as fp16
      </label>
      {d !== undefined && (
        <span className="hint">
          kept in this browser: {formatBytes((k ?? 1000) * d * (fp16 ? 2 : 4))} at k = {k ?? 1000} for this model's {d} LoRA values
        </span>
      )}
    </div>
  );
}
