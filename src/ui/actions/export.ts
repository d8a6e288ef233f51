// Export the current identity (with its edits) as files the browser downloads.
import type { ExportFormat } from '../../engine/space/transfer';
import { getIdentity } from '../identity-store';
import { spaceWorker } from '../workers';
import { activeEdits, baseCoef } from './space';

export interface ExportResult {
  files: { name: string; bytes: number }[];
  error?: string;
}

/** One download per export: a single file, or a zip `<name>-<format>.zip` holding a folder (PEFT's unet/). */
export async function exportIdentity(format: ExportFormat, fp16: boolean): Promise<ExportResult> {
  const coef = baseCoef();
  const { identity } = getIdentity();
  if (!coef || !identity) return { files: [], error: 'no identity to export' };
  try {
    const edits = activeEdits();
    const c = edits.length ? (await spaceWorker().loras(coef, edits)).edited : coef;
    const safeName = identity.name.replace(/[^\w.-]+/g, '_');
    const { name, bytes, files } = await spaceWorker().exportFile(c, format, { fp16, name: safeName });
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return { files };
  } catch (e) {
    return { files: [], error: (e as Error).message };
  }
}
