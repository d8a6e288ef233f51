// Node-only byte source over a local file (kept apart so browser bundles never import node:fs).
import { open, stat } from 'node:fs/promises';
import { checkRange, MissingFileError, type ByteSource } from './source';

export async function openPath(path: string): Promise<ByteSource> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error(`not a file: ${path}`);
    size = st.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingFileError(`missing file: ${path}`);
    throw e;
  }
  const src: ByteSource = {
    name: path,
    size,
    async read(offset, length) {
      checkRange(this, offset, length);
      // A handle per read: nothing to close later, and the cost is noise next to a tensor's bytes.
      const fh = await open(path, 'r');
      try {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(out, done, length - done, offset + done);
          if (bytesRead === 0) throw new Error(`short read of ${path}: file shrank below ${offset + length} bytes`);
          done += bytesRead;
        }
        return out;
      } finally {
        await fh.close();
      }
    },
  };
  return src;
}
