// One polite live region per kind of run, mounted before the run starts (a region that appears together with
// its text is not announced) and visually hidden; its text is progressAnnouncement's, so it changes at
// most a dozen times a run. Errors are announced by their own role="alert" paragraphs.
import { useState } from 'react';
import { progressAnnouncement, type RunState } from '../announce';

export function RunAnnouncer({ label, running, failed, cancelled, done, total }: {
  label: string;
  running: boolean;
  failed?: boolean;
  cancelled?: boolean;
  done: number;
  total: number;
}) {
  // Whether a run was seen since mount: only then does "not running" mean it finished.
  const [ran, setRan] = useState(false);
  if (running && !ran) setRan(true);
  const state: RunState = running ? 'running' : !ran || failed ? 'idle' : cancelled ? 'cancelled' : 'done';
  return (
    <p role="status" className="visually-hidden">
      {progressAnnouncement(label, state, done, total)}
    </p>
  );
}
