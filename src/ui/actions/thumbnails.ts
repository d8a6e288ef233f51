// Thumbnails of training identities, rendered on demand with fixed settings (seed 0, "sks person", 20 steps, half
// the model's default size) so they compare; kept in the page's IndexedDB by space and row. One renders at a time,
// between the user's generations: a generation the user starts cancels a thumbnail in progress (it can be redone).
import { get, set } from 'idb-keyval';
import { errorMessage, isCancelled } from '../errors';
import { getIdentity } from '../identity-store';
import { DEFAULT_GEN, getApp, setApp, useApp } from '../store';
import { getTraining, setTraining, type Thumb } from '../training-store';
import { engineWorker, spaceWorker } from '../workers';
import { pageDb } from './page-db';

const FIXED = { prompt: 'sks person', negative: DEFAULT_GEN.negative, seed: 0, steps: 20, guidance: 3, scheduler: 'pndm' as const };

/** Half the model's default size, a multiple of what it takes (256 px for SD 1.5). */
function thumbSize(): number {
  const m = getApp().model!;
  return Math.max(m.sizeMultiple, Math.round(m.defaultSize / 2 / m.sizeMultiple) * m.sizeMultiple);
}

const key = (space: string, row: number) => `thumb:${space}:${row}:${thumbSize()}`;
const setThumb = (row: number, v: Thumb | undefined) => setTraining((s) => ({ thumbs: { ...s.thumbs, [row]: v } }));

/** Shows the stored thumbnails of these rows (none is rendered). */
export async function loadThumbnails(rows: readonly number[]): Promise<void> {
  const space = getIdentity().space?.id;
  if (!space || !getApp().model) return;
  for (const row of rows) {
    if (getTraining().thumbs[row]) continue;
    const png = await get<Blob>(key(space, row), pageDb).catch(() => undefined);
    if (png) setThumb(row, URL.createObjectURL(png));
  }
}

let queue = Promise.resolve();

/** Renders (or takes from storage) the thumbnail of each row, one after another. */
export function renderThumbnails(rows: readonly number[]): void {
  for (const row of rows) {
    const t = getTraining().thumbs[row];
    if (typeof t === 'string') continue; // shown already, or rendering
    setThumb(row, 'rendering');
    queue = queue.then(() => renderOne(row));
  }
}

/** Resolves once no generation runs (the user's come first). */
const idle = () => new Promise<void>((resolve) => {
  if (!getApp().generating) return resolve();
  const off = useApp.subscribe((s) => {
    if (s.generating) return;
    off();
    resolve();
  });
});

async function renderOne(row: number): Promise<void> {
  const space = getIdentity().space?.id;
  if (!space || !getApp().model) return setThumb(row, undefined);
  try {
    const stored = await get<Blob>(key(space, row), pageDb).catch(() => undefined);
    if (stored) return setThumb(row, URL.createObjectURL(stored));
    await idle();
    setApp({ generating: true });
    try {
      const { coef } = await spaceWorker().trainingIdentity(row);
      const { lora } = await spaceWorker().loras(coef, []);
      const size = thumbSize();
      const out = await engineWorker().generate({ ...FIXED, width: size, height: size, lora, lora2: null, switchAt: 1000 });
      await set(key(space, row), out.png, pageDb).catch((e: Error) => console.warn(`thumbnail not kept: ${e.message}`));
      setThumb(row, URL.createObjectURL(out.png));
    } finally {
      setApp({ generating: false });
    }
  } catch (e) {
    setThumb(row, isCancelled(e) ? undefined : { error: errorMessage(e) });
  }
}
