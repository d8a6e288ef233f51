// Before/after: two generations with the same settings, without and with the attribute edits.
import { setIdentity } from '../identity-store';
import { generateImage } from './generate';
import { identityInput } from './space';

export async function compareEdits(): Promise<void> {
  const before = await generateImage(await identityInput(false));
  if (!before) return;
  const after = await generateImage(await identityInput(true));
  if (after) setIdentity({ compare: { before: before.url, after: after.url } });
}
