// One-step start: the model and the w2w space behind one Download, sized together before anything is fetched.
import { splitRepoPath } from '../config';
import { errorMessage } from '../errors';
import { getIdentity, setIdentity } from '../identity-store';
import { getApp, setApp } from '../store';
import { spaceWorker } from '../workers';
import { startDownload } from './model';
import { importSpace } from './space';

/** The space's size from its folder listing (nothing is downloaded); an error says why it is not included. */
export async function planSpace(): Promise<void> {
  try {
    const { hub, space } = getApp().sources;
    const { total } = await spaceWorker().planFromHub(hub, splitRepoPath(space));
    setApp({ spacePlan: { total } });
  } catch (e) {
    setApp({ spacePlan: { error: errorMessage(e) } });
  }
}

/** Whether Download also imports the space: it can be listed and none is stored in this browser yet. */
export function spaceIncluded(): boolean {
  const { spacePlan } = getApp();
  const { spacePhase, spaceStorage } = getIdentity();
  return !!spacePlan && 'total' in spacePlan && spacePhase === 'none' && !spaceStorage?.bytes;
}

/** Downloads the model, loads it, then imports the space (with the k and fp16 chosen beside the button). */
export async function downloadAll(): Promise<void> {
  const withSpace = spaceIncluded();
  // Queued from the start, so the Create screen shows it coming rather than an Import button.
  if (withSpace) setIdentity({ spacePhase: 'importing', spaceProgress: undefined, spaceError: undefined });
  await startDownload();
  if (!withSpace) return;
  const { space, spaceK, spaceFp16 } = getIdentity();
  if (getApp().phase !== 'ready') setIdentity({ spacePhase: 'none' });
  else if (!space) await importSpace({ k: spaceK, fp16: spaceFp16 });
}
