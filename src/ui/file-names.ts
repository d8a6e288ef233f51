// Download names from an identity's name: safe on every OS (no path separators, reserved characters, leading
// dots or trailing spaces; bounded length), never empty.
import type { ExportFormat } from '../engine/space/transfer';

export function fileStem(name: string): string {
  const stem = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f<>:"/\\|?*]+/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 80)
    .trim();
  return stem || 'identity';
}

/** The name of a single-file export: `<name>.w2w.pt`, kohya `<name>.safetensors`, diffusers `<name>.diffusers.safetensors`. */
export function exportFileName(name: string, format: Exclude<ExportFormat, 'peft'>): string {
  const suffix = { w2w: '.w2w.pt', kohya: '.safetensors', diffusers: '.diffusers.safetensors' }[format];
  return fileStem(name) + suffix;
}
