// Process memory from /proc/self/status (Linux): current and peak resident set. Writing 5 to
// /proc/self/clear_refs resets the peak, so one phase (a forward, a gradient step) is measured alone.
import { readFileSync, writeFileSync } from 'node:fs';

const MIB = 1024;

export function memory(): { rss: number; hwm: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kib('VmRSS') / MIB, hwm: kib('VmHWM') / MIB };
}

export const resetPeak = (): void => writeFileSync('/proc/self/clear_refs', '5');
