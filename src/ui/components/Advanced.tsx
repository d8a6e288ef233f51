// Controls most users never need, folded away: closed at first, its summary says what is inside.
import type { ReactNode } from 'react';

export function Advanced({ what, children }: { what: string; children: ReactNode }) {
  return (
    <details className="advanced">
      <summary>Advanced: {what}</summary>
      {children}
    </details>
  );
}
