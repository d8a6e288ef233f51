// A labelled range input (native: arrow keys, Page Up/Down, Home/End) with its value shown.
import { useId } from 'react';

export interface SliderProps {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (v: number) => void;
  /** Extra text after the value (e.g. the raw α). */
  detail?: string;
}

export function Slider({ label, value, min, max, step, onChange, detail }: SliderProps) {
  const id = useId();
  return (
    <div className="slider">
      <label htmlFor={id}>{label}</label>
      {/* Not live (an <output> is role=status): the slider's aria-valuetext already says its value. */}
      <output htmlFor={id} aria-live="off">
        {value > 0 ? '+' : ''}
        {value}
        {detail ? ` ${detail}` : ''}
      </output>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        aria-valuetext={`${value}${detail ? `, ${detail}` : ''}`}
        onChange={(e) => onChange(Number(e.target.value))}
      />
    </div>
  );
}
