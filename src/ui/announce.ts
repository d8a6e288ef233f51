// What a screen reader hears about a long run: one live region per run whose text changes only at the
// start, at every tenth of the way, and at the end, not at every step (a 500-step inversion would
// otherwise queue 500 announcements).

export type RunState = 'idle' | 'running' | 'done' | 'cancelled';

/** The live region's text for a run labelled `label` ("inversion") at `done` of `total`. */
export function progressAnnouncement(label: string, state: RunState, done: number, total: number): string {
  if (state === 'idle') return '';
  if (state === 'done') return `${label} done`;
  if (state === 'cancelled') return `${label} stopped`;
  const tenth = total > 0 ? Math.min(10, Math.floor((10 * done) / total)) : 0;
  return tenth === 0 ? `${label} started` : `${label} ${tenth * 10} %`;
}
