// The gallery survives a reload: each image (PNG Blob, settings, LoRA vectors) under its own key, plus the
// list of ids in order; a change writes only the images that are new and deletes the ones gone.
import { del, get, getMany, set } from 'idb-keyval';
import { GALLERY_MAX, setApp, useApp, type GalleryItem } from '../store';
import { pageDb } from './page-db';

const INDEX = 'gallery';
const key = (id: string) => `image:${id}`;
type Stored = Omit<GalleryItem, 'url'>;

let written = new Set<string>();
let queue = Promise.resolve();

async function save(gallery: GalleryItem[]): Promise<void> {
  const ids = gallery.map((g) => g.id);
  for (const g of gallery) if (!written.has(g.id)) await set(key(g.id), { ...g, url: undefined } satisfies Stored & { url: undefined }, pageDb);
  for (const id of written) if (!ids.includes(id)) await del(key(id), pageDb);
  await set(INDEX, ids, pageDb);
  written = new Set(ids);
}

/** Restores the stored gallery, then keeps the store in step with every change (writes in order, one at a time). */
export async function installGalleryPersistence(): Promise<void> {
  try {
    const ids = ((await get<string[]>(INDEX, pageDb)) ?? []).slice(0, GALLERY_MAX);
    const items = (await getMany<Stored | undefined>(ids.map(key), pageDb)).filter((x): x is Stored => !!x);
    written = new Set(items.map((i) => i.id));
    const restored = items.map((i) => ({ ...i, url: URL.createObjectURL(i.png) }));
    setApp((s) => ({ gallery: [...s.gallery, ...restored].slice(0, GALLERY_MAX) }));
  } catch (e) {
    console.warn(`gallery not restored: ${(e as Error).message}`);
  }
  useApp.subscribe((s, prev) => {
    if (s.gallery === prev.gallery) return;
    const gallery = s.gallery;
    // In a task of its own, not in the one that delivered the image (IndexedDB clones the Blob and LoRAs).
    queue = queue.then(() => new Promise((r) => setTimeout(r))).then(() => save(gallery)).catch((e: Error) => console.warn(`gallery not saved: ${e.message}`));
  });
}
