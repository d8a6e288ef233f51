// Display helpers: sizes, speeds, durations.
import { formatBytes } from '../engine/io/format-bytes';
import type { IdentitySettings } from '../engine/space/library';

export { formatBytes };

const signed = (x: number) => `${x > 0 ? '+' : ''}${x}`;

/** A library record's edit settings in one line ('' when it has none): sliders, debias, injection, offsets. */
export function describeEdits(s: IdentitySettings): string {
  const sliders = Object.entries(s.sliders ?? {});
  const pcs = (s.pcOffsets ?? []).map((z, i) => [`PC ${i + 1}`, z] as const).filter(([, z]) => z !== 0);
  const free = (s.freeOffsets ?? []).map((z, i) => [`direction ${i + 1}`, z] as const).filter(([, z]) => z !== 0);
  const parts = [...sliders, ...pcs, ...free].map(([n, v]) => `${n} ${signed(v)}`);
  if (!parts.length) return '';
  const debias = s.debias ?? [];
  return [parts.join(', '), debias.length ? `debiased against ${debias.join(', ')}` : '', sliders.length ? `edits from t ≤ ${s.switchAt}` : '']
    .filter(Boolean)
    .join(' · ');
}

export const formatSpeed = (bps: number): string => (bps > 0 ? `${formatBytes(bps)}/s` : '');

export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '';
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
