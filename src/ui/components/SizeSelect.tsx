// A square image size the loaded model accepts: up to its native size, in its UNet's multiples.
import { useApp } from '../store';

function sizeOptions(native: number, multiple: number): number[] {
  const out: number[] = [];
  for (let s = multiple; s <= native; s += multiple) out.push(s);
  return out.length ? out : [native];
}

export function SizeSelect({ label, value, onChange }: { label: string; value: number | undefined; onChange: (size: number) => void }) {
  const model = useApp((s) => s.model);
  const sizes = model ? sizeOptions(model.defaultSize, model.sizeMultiple) : value ? [value] : [];
  return (
    <label>
      {label}
      <select value={value ?? model?.defaultSize ?? ''} onChange={(e) => onChange(Number(e.target.value))}>
        {sizes.map((s) => (
          <option key={s} value={s}>
            {s}×{s}
          </option>
        ))}
      </select>
    </label>
  );
}
