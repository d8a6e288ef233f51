// A local folder, dropped or picked: read in place, nothing is uploaded or copied. By default a diffusers
// model folder (useLocalFolder); `onFolder` takes any other (the LoRAs a space is built from).
import { useState, type DragEvent } from 'react';
import { useLocalFolder } from '../actions/model';
import { FileButton } from './FileButton';

export interface FolderDropProps {
  /** The folder's files keyed by their path below it, and its name. */
  onFolder?: (files: Map<string, File>, name: string) => void;
  prompt?: string;
  what?: string;
  /** The folder picker's button. */
  label?: string;
}

export function FolderDrop({ onFolder = (f, n) => void useLocalFolder(f, n), prompt, what = 'the diffusers model directory', label = 'Choose folder…' }: FolderDropProps = {}) {
  const [over, setOver] = useState(false);
  const [error, setError] = useState<string>();
  const use = (files: Map<string, File>, name: string) => {
    setError(undefined);
    if (!files.size) return setError(`${name} holds no files`);
    onFolder(files, name);
  };
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const entry = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry()).find((x) => x?.isDirectory);
    if (!entry) return setError(`drop a folder (${what}), not single files`);
    try {
      use(await readEntry(entry as FileSystemDirectoryEntry), entry.name);
    } catch (err) {
      setError(`could not read ${entry.name}: ${(err as Error).message}`);
    }
  };
  const onPick = (list: File[]) => {
    const files = new Map<string, File>();
    for (const f of list) files.set(f.webkitRelativePath || f.name, f);
    use(files, list[0].webkitRelativePath.split('/')[0] || 'the selected folder');
  };
  return (
    <div
      className={`drop ${over ? 'over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>{prompt ?? 'Or drop a diffusers model folder here (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/)'}</p>
      <FileButton label={label} directory onFiles={onPick} />
      {error && <p role="alert" className="error">{error}</p>}
    </div>
  );
}

/** Every file under a dropped directory, keyed by its path below it. */
async function readEntry(dir: FileSystemDirectoryEntry, prefix = ''): Promise<Map<string, File>> {
  const out = new Map<string, File>();
  const reader = dir.createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    for (const e of batch) {
      const path = prefix + e.name;
      if (e.isFile) out.set(path, await new Promise<File>((resolve, reject) => (e as FileSystemFileEntry).file(resolve, reject)));
      else for (const [k, f] of await readEntry(e as FileSystemDirectoryEntry, `${path}/`)) out.set(k, f);
    }
  }
  return out;
}
