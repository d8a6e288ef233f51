// Share links: "Copy link" puts the current identity (coefficients as fp16, the space's id, the edit settings)
// in the URL's fragment; a page opened with one (or whose fragment changes) opens that identity once its space
// is loaded. Encoding, decoding and the checks run in the space worker (src/engine/space/share-link.ts).
import { errorMessage } from '../errors';
import { getIdentity, setIdentity, TOP_PCS, useIdentity } from '../identity-store';
import { spaceWorker } from '../workers';
import { setIdentityCoef, spaceReady } from './space';

export interface ShareResult {
  url?: string;
  /** Whether the clipboard took it (else the page shows the link to copy by hand). */
  copied?: boolean;
  note?: string;
  error?: string;
}

/** The link to the current identity as on screen; copied to the clipboard where the page may write it. */
export async function copyShareLink(): Promise<ShareResult> {
  const { identity, sliders, debias, switchAt, pcOffsets, free, freeOffsets } = getIdentity();
  if (!identity) return { error: 'no identity to share' };
  try {
    // Label-free offsets cannot be rediscovered by the receiver: they go into the coefficients; PC offsets stay settings.
    const coef = free ? await spaceWorker().withOffsets(identity.coef, { directions: { vectors: free.vectors, unit: free.unit, offsets: freeOffsets } }) : identity.coef;
    const nonZero = Object.fromEntries(Object.entries(sliders).filter(([, v]) => v !== 0));
    const fragment = await spaceWorker().shareLink(identity.name, coef, { sliders: nonZero, debias, switchAt, pcOffsets });
    const url = `${location.origin}${location.pathname}${location.search}#${fragment}`;
    try {
      await navigator.clipboard.writeText(url);
      return { url, copied: true };
    } catch (e) {
      return { url, copied: false, note: `the clipboard is not available here (${errorMessage(e)}): copy the link from the field` };
    }
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

let opening = false;

/** Opens the waiting link once a space is ready; a malformed or foreign link leaves the current identity as it was. */
async function openPendingLink(): Promise<void> {
  const { pendingLink, spacePhase } = getIdentity();
  if (!pendingLink || spacePhase !== 'ready' || opening) return;
  opening = true;
  try {
    const r = await spaceWorker().openShareLink(pendingLink);
    if (r.summary.id !== getIdentity().space?.id) await spaceReady(r.summary);
    setIdentityCoef({ name: r.name, coef: r.coef, origin: { shared: { space: r.summary.id } } });
    const { sliders, debias, switchAt, pcOffsets } = r.edits;
    const pcs = Array.from({ length: TOP_PCS }, (_, i) => pcOffsets[i] ?? 0);
    setIdentity({ sliders: { ...sliders }, debias: [...debias], switchAt, pcOffsets: pcs, linkNote: { text: `Opened the shared identity "${r.name}".` } });
  } catch (e) {
    setIdentity({ linkNote: { text: `This link cannot be opened: ${errorMessage(e)}`, error: true } });
  } finally {
    opening = false;
    if (getIdentity().pendingLink === pendingLink) {
      setIdentity({ pendingLink: undefined });
      // Opened (or refused) once: a reload keeps what the user did since.
      history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    } else void openPendingLink(); // another link came meanwhile
  }
}

/** Takes the page's fragment (now and on every change) and opens it as soon as a space is ready. */
export function installShareLinks(): void {
  const take = () => {
    if (location.hash.length <= 1) return;
    setIdentity({ pendingLink: location.hash, linkNote: undefined });
    void openPendingLink();
  };
  take();
  addEventListener('hashchange', take);
  useIdentity.subscribe((s, p) => {
    if (s.spacePhase === 'ready' && p.spacePhase !== 'ready') void openPendingLink();
  });
}
