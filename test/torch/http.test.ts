// The same files through the HTTP Range source, served in hub layout by the e2e server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startServer, type TestServer } from '../../e2e/server';
import { openUrl } from '../../src/engine/io/source';
import { openPath } from '../../src/engine/io/source-node';
import { loadDataFrame, loadTensor } from '../../src/engine/torch/index';
import { spacePath } from './helpers';

describe('torch files over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ owners: { test: FIXTURES } });
  });
  afterAll(() => server.close());
  const url = (name: string): string => `${server.url}/test/tiny-sd-a/resolve/main/w2w-space/${name}.pt`;

  it('streams V columns and reads the DataFrame with Range requests', async () => {
    const V = await loadTensor(await openUrl(url('V')));
    const local = await loadTensor(await openPath(spacePath('V')));
    const [a, b] = [await V.readColumns(5, undefined, { chunkBytes: 100_000 }), await local.readColumns(5)];
    expect(a.length).toBe(V.shape[0] * 5);
    expect(a.every((x, i) => x === b[i])).toBe(true);
    const df = await loadDataFrame(await openUrl(url('identity_df')));
    expect(df.index.name).toBe('file');
    expect(df.column('Male')).toEqual((await loadDataFrame(await openPath(spacePath('identity_df')))).column('Male'));
    const ranged = server.requests.filter((r) => r.path.endsWith('/V.pt'));
    expect(ranged.length).toBeGreaterThan(3);
    expect(ranged.every((r) => r.status === 206 && r.range)).toBe(true);
  });

  it('names the URL of a missing file', async () => {
    await expect(openUrl(url('nope'))).rejects.toThrow(/missing file: .*nope\.pt/);
  });
});
