// Display helpers: sizes, speeds, durations.
import { formatBytes } from '../engine/space/kv';

export { formatBytes };

export const formatSpeed = (bps: number): string => (bps > 0 ? `${formatBytes(bps)}/s` : '');

export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '';
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
