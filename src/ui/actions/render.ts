// Results without a separate Generate click: Sample renders the new identity at once with the current
// generation settings (as the official demo's "Sample New Model"), and an inverted identity renders on
// the way to Create. A generation still running for the previous identity is cancelled.
import { generateLatest } from './generate';
import { identityInput, sampleIdentity } from './space';

/** The current identity (with its edits) rendered now. */
export async function renderIdentity(): Promise<void> {
  await generateLatest(await identityInput(true));
}

export async function sampleAndRender(): Promise<void> {
  await sampleIdentity();
  await renderIdentity();
}
