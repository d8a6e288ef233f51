// The WAI-ARIA tabs pattern's keys: Left/Right move to the previous/next enabled tab (wrapping),
// Home/End to the first/last; disabled tabs are skipped.

/** The index of the tab a key moves focus to from `from`, or undefined when the key is not one of the pattern's. */
export function tabKeyTarget(key: string, from: number, enabled: boolean[]): number | undefined {
  const n = enabled.length;
  const step = (start: number, dir: 1 | -1) => {
    for (let i = 1; i <= n; i++) {
      const j = (((start + dir * i) % n) + n) % n;
      if (enabled[j]) return j;
    }
    return from;
  };
  if (key === 'ArrowRight') return step(from, 1);
  if (key === 'ArrowLeft') return step(from, -1);
  if (key === 'Home') return step(-1, 1);
  if (key === 'End') return step(n, -1);
  return undefined;
}
