// The loss per step as a line (log scale), with a running mean: noisy by nature (random t and ε per step).
export function LossPlot({ losses }: { losses: number[] }) {
  if (losses.length < 2) return null;
  const W = 320;
  const H = 120;
  const logs = losses.map((l) => Math.log10(Math.max(l, 1e-12)));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const y = (v: number) => H - 4 - ((v - lo) / (hi - lo || 1)) * (H - 8);
  const x = (i: number) => (i / (losses.length - 1)) * W;
  const window = Math.max(1, Math.round(losses.length / 20));
  const mean = logs.map((_, i) => {
    const part = logs.slice(Math.max(0, i - window + 1), i + 1);
    return part.reduce((a, b) => a + b, 0) / part.length;
  });
  const line = (v: number[]) => v.map((p, i) => `${x(i).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
  return (
    <figure className="loss">
      <svg width={W} height={H} role="img" aria-label={`loss over ${losses.length} steps, last ${losses[losses.length - 1].toPrecision(3)}`}>
        <polyline points={line(logs)} fill="none" stroke="#9bb7e0" strokeWidth="1" />
        <polyline points={line(mean)} fill="none" stroke="#0a5fd6" strokeWidth="2" />
      </svg>
      <figcaption>
        loss (log scale) · last {losses[losses.length - 1].toPrecision(3)} · min {Math.min(...losses).toPrecision(3)}
      </figcaption>
    </figure>
  );
}
