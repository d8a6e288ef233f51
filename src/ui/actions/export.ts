// Export the current identity (with its edits) as files the browser downloads.
import type { ExportFormat } from '../../engine/space/transfer';
import { getIdentity } from '../identity-store';
import { spaceWorker } from '../workers';
import { activeEdits, baseCoef } from './space';

export interface ExportResult {
  files: { name: string; bytes: number }[];
  error?: string;
}

/** Downloads each file; PEFT's unet/ files keep their folder in the name (unet_adapter_model.safetensors). */
export async function exportIdentity(format: ExportFormat, fp16: boolean): Promise<ExportResult> {
  const coef = baseCoef();
  const { identity } = getIdentity();
  if (!coef || !identity) return { files: [], error: 'no identity to export' };
  try {
    const edits = activeEdits();
    const c = edits.length ? (await spaceWorker().loras(coef, edits)).edited : coef;
    const safeName = identity.name.replace(/[^\w.-]+/g, '_');
    const files = await spaceWorker().export(c, format, { fp16, name: safeName });
    for (const f of files) {
      const url = URL.createObjectURL(new Blob([f.bytes as Uint8Array<ArrayBuffer>]));
      const a = document.createElement('a');
      a.href = url;
      a.download = f.path.replaceAll('/', '_');
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }
    return { files: files.map((f) => ({ name: f.path, bytes: f.bytes.length })) };
  } catch (e) {
    return { files: [], error: (e as Error).message };
  }
}
