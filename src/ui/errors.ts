// How the page shows a failed call. Comlink rebuilds a worker's Error on the page with its name and message,
// so a cancelled job (AbortSignal.throwIfAborted: a DOMException named AbortError) is known by its name.

export const errorMessage = (e: unknown): string => (e as Error)?.message ?? String(e);

export const isCancelled = (e: unknown): boolean => (e as Error)?.name === 'AbortError';
