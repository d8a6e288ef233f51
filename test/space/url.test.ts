// Loading the space over HTTP from a local server in hub layout (Range reads), listed through a hub-style
// tree API, as the app does from snap-research/weights2weights/files.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinBlocks } from '../../src/engine/io/row-blocks';
import { importFiles, spaceFolderFromUrl } from '../../src/engine/space/files';
import { spaceFolderFromPath } from '../../src/engine/space/files-node';
import { loadSpace, type LoadProgress } from '../../src/engine/space/load';
import { fixturePath } from '../helpers/fixture';
import { serve, type Served } from '../io/http-server';

const SPACE = fixturePath('w2w-space');
const HUB = '/snap-research/weights2weights/resolve/main/files/';
const API = '/api/models/snap-research/weights2weights/tree/main/files';

describe('space over HTTP', () => {
  let server: Served;
  let withApi = true;

  beforeAll(async () => {
    server = await serve(async (p) => {
      if (p === API && withApi) {
        // V.pt as the hub lists an LFS file: the pointer's size, the file's under lfs.
        const entries = await Promise.all(
          (await readdir(SPACE)).map(async (f) => {
            const size = (await readFile(join(SPACE, f))).length;
            return f === 'V.pt' ? { type: 'file', path: `files/${f}`, size: 134, lfs: { size } } : { type: 'file', path: `files/${f}`, size };
          }),
        );
        return new TextEncoder().encode(JSON.stringify([...entries, { type: 'directory', path: 'files/sub' }]));
      }
      if (p.startsWith(HUB)) return readFile(join(SPACE, p.slice(HUB.length))).catch(() => null);
      return null;
    });
  });
  afterAll(() => server.close());

  it('lists through the tree API, keeps the first k columns of V.pt (Range reads), reports progress', async () => {
    server.log.length = 0;
    const progress: LoadProgress[] = [];
    const space = await loadSpace(spaceFolderFromUrl(`${server.url}${HUB}`), { k: 4, onProgress: (p) => progress.push(p) });
    expect(space.data.pcs).toBe(16);
    expect(space.k).toBe(4);
    const vDone = progress.filter((p) => p.file === 'V.pt');
    expect(vDone.length).toBeGreaterThan(0);
    expect(vDone.at(-1)!.done).toBe(vDone.at(-1)!.total);
    const disk = await loadSpace(spaceFolderFromPath(SPACE), { k: 4 });
    expect(Buffer.from(joinBlocks(space.data.v).buffer).equals(Buffer.from(joinBlocks(disk.data.v).buffer))).toBe(true);
    expect(server.log.some((l) => /GET .*\/V\.pt bytes=/.test(l))).toBe(true);
  });

  it('sizes from the listing: the files an import streams, LFS files at their real size', async () => {
    const sizes = await spaceFolderFromUrl(`${server.url}${HUB}`).listSizes!();
    const files = importFiles(sizes);
    const want = ['mean.pt', 'std.pt', 'V.pt', 'identity_df.pt', 'weight_dimensions.pt', 'proj_16pc.pt', 'pinverse_16pc.pt'];
    expect(files.map((f) => f.name)).toEqual(want);
    for (const f of files) expect(f.size).toBe((await readFile(join(SPACE, f.name))).length);
    expect(() => importFiles(new Map([['V.pt', 1]]))).toThrow(/no proj_<n>pc\.pt/);
    expect(() => importFiles(new Map([['proj_4pc.pt', 1], ['pinverse_4pc.pt', 1], ['V.pt', 1]]))).toThrow(/lacks mean\.pt, std\.pt, identity_df\.pt, weight_dimensions\.pt/);
  });

  it('without a listing the number of PCs must be given, and then it loads', async () => {
    withApi = false;
    try {
      await expect(loadSpace(spaceFolderFromUrl(`${server.url}${HUB}`))).rejects.toThrow(/cannot list .*HTTP 404.*give the number of PCs/);
      const space = await loadSpace(spaceFolderFromUrl(`${server.url}${HUB}`), { pcs: 16 });
      expect(space.labelColumns).toContain('Young');
    } finally {
      withApi = true;
    }
  });
});
