// Export the current identity (with its edits) as files the browser downloads.
import type { ExportFormat } from '../../engine/space/transfer';
import { errorMessage } from '../errors';
import { spaceWorker } from '../workers';
import { editedIdentity } from './space';

export interface ExportResult {
  files: { name: string; bytes: number }[];
  error?: string;
}

/** One download per export: a single file, or a zip `<name>-<format>.zip` holding a folder (PEFT's unet/). */
export async function exportIdentity(format: ExportFormat, fp16: boolean): Promise<ExportResult> {
  try {
    const e = await editedIdentity();
    if (!e) return { files: [], error: 'no identity to export' };
    const safeName = e.identity.name.replace(/[^\w.-]+/g, '_');
    const { name, bytes, files } = await spaceWorker().exportFile(e.coef, format, { fp16, name: safeName });
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return { files };
  } catch (e) {
    return { files: [], error: errorMessage(e) };
  }
}
