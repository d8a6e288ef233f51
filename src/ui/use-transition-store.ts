// Frequent worker updates (step previews, inversion progress) rendered as transitions: React renders
// them in slices that yield to the browser, so a burst of updates never makes a long main-thread task.
import { startTransition, useEffect, useState } from 'react';
import type { StoreApi, UseBoundStore } from 'zustand';

export function useTransitionStore<S, T>(store: UseBoundStore<StoreApi<S>>, select: (s: S) => T): T {
  const [value, setValue] = useState(() => select(store.getState()));
  useEffect(() => {
    let last = select(store.getState());
    setValue(() => last);
    return store.subscribe((s) => {
      const next = select(s);
      if (Object.is(next, last)) return;
      last = next;
      startTransition(() => setValue(() => next));
    });
  }, [store]); // eslint-disable-line react-hooks/exhaustive-deps
  return value;
}
