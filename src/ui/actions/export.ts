// Export the current identity (with its edits) as files the browser downloads.
import type { ExportFormat } from '../../engine/space/transfer';
import { errorMessage } from '../errors';
import { exportFileName, fileStem } from '../file-names';
import { spaceWorker } from '../workers';
import { editedIdentity } from './space';

export interface ExportResult {
  files: { name: string; bytes: number }[];
  error?: string;
}

/** One download per export: a single file `<name>.w2w.pt`, `<name>.safetensors`…, or a zip `<name>-peft.zip` holding PEFT's unet/ folder. */
export async function exportIdentity(format: ExportFormat, fp16: boolean): Promise<ExportResult> {
  try {
    const e = await editedIdentity();
    if (!e) return { files: [], error: 'no identity to export' };
    const stem = fileStem(e.identity.name);
    const out = await spaceWorker().exportFile(e.coef, format, { fp16, name: stem });
    // A single file is named for the identity (the zip of PEFT's folder already is).
    const name = format === 'peft' ? out.name : exportFileName(stem, format);
    const { bytes } = out;
    const files = format === 'peft' ? out.files : [{ name, bytes: bytes.length }];
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
