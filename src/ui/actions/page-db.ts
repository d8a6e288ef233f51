// The page's own IndexedDB store (idb-keyval, its own database): the gallery and the current identity, kept
// across reloads. The space worker's store (spaces, library) is another database.
import { createStore } from 'idb-keyval';

export const pageDb = createStore('w2w-page', 'kv');
