// The key-value interface the space store and the identity library persist through: idb-keyval's
// get/set/del/keys semantics (values are structured-cloned; `get` of a missing key is undefined). In the
// app a worker passes idb-keyval itself; Node (CLI, tests) uses the in-memory map below.

export interface KeyValue {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** A Map behind the KeyValue interface; values are copied on set and get, as IndexedDB clones them. */
export function memoryKV(): KeyValue & { readonly map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async (key) => (map.has(key) ? structuredClone(map.get(key)) : undefined),
    set: async (key, value) => void map.set(key, structuredClone(value)),
    del: async (key) => void map.delete(key),
    keys: async () => [...map.keys()],
  };
}

/** Whether an error is a storage quota failure (IndexedDB's QuotaExceededError, in any wrapping). */
export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; message?: string; inner?: unknown } | null;
  return !!err && (err.name === 'QuotaExceededError' || /quota/i.test(err.message ?? ''));
}
