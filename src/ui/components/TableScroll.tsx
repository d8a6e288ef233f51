// A wide table scrolls sideways inside its panel; the scroller is a named, focusable region so a keyboard
// user can scroll it too (arrow keys once focused).
import type { ReactNode } from 'react';

export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
