// What happened to a share link the page was opened with: waiting for the model and space, opened, or refused.
import { setIdentity, useIdentity } from '../identity-store';

export function LinkNote() {
  const pending = useIdentity((s) => !!s.pendingLink && s.spacePhase !== 'ready');
  const note = useIdentity((s) => s.linkNote);
  if (pending)
    return (
      <p role="status" className="note" data-testid="link-note">
        A shared identity opens once the model and its space are loaded.
      </p>
    );
  if (!note) return null;
  return (
    <p role={note.error ? 'alert' : 'status'} className={note.error ? 'note error' : 'note'} data-testid="link-note">
      {note.text} <button onClick={() => setIdentity({ linkNote: undefined })}>Dismiss</button>
    </p>
  );
}
