// The library's records as the page shows them, read again after every change. Apart from the library's
// actions (library.ts) because the space's actions refresh it too, and library.ts uses theirs.
import { errorMessage } from '../errors';
import { setIdentity } from '../identity-store';
import { spaceWorker } from '../workers';

export async function refreshLibrary(): Promise<void> {
  try {
    setIdentity({ library: await spaceWorker().listIdentities() });
  } catch (e) {
    setIdentity({ libraryError: errorMessage(e) });
  }
}
