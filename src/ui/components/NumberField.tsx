// A labelled number input that only reports valid values.
export function NumberField(p: { label: string; value: number; min: number; max: number; step: number; onChange: (v: number) => void }) {
  return (
    <label>
      {p.label}
      <input
        type="number"
        value={p.value}
        min={p.min}
        max={p.max}
        step={p.step}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (e.target.value !== '' && Number.isFinite(v)) p.onChange(Math.min(p.max, Math.max(p.min, v)));
        }}
      />
    </label>
  );
}
