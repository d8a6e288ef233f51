// The writer reproduces PyTorch's own files byte for byte (the fixture tensors were written by torch.save),
// and what it writes reads back. (By hand, torch 2.13's torch.load read its output, weights_only too.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromBytes } from '../../src/engine/io/source';
import { openPath } from '../../src/engine/io/source-node';
import { loadTensor, saveTensor } from '../../src/engine/torch/index';
import { spacePath } from './helpers';

describe('saveTensor', () => {
  for (const name of ['mean', 'std', 'V', 'proj_16pc', 'pinverse_16pc']) {
    it(`rewrites ${name}.pt byte for byte`, async () => {
      const t = await loadTensor(await openPath(spacePath(name)));
      const out = saveTensor(await t.read(), t.shape, { archiveName: name });
      const original = new Uint8Array(readFileSync(spacePath(name)));
      expect(out.length).toBe(original.length);
      expect(Buffer.compare(Buffer.from(out), Buffer.from(original))).toBe(0);
    });
  }

  const shapes = [[], [0], [5], [1, 1000], [2, 3, 4, 5], [70000], [1, 3, 0]];
  for (const shape of shapes) {
    it(`round-trips shape (${shape.join(', ')})`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e6);
      const t = await loadTensor(fromBytes('w2wmodel.pt', saveTensor(data, shape, { archiveName: 'w2wmodel' })));
      expect(t.shape).toEqual(shape);
      expect(t.dtype).toBe('float32');
      const back = await t.read();
      expect(back.length).toBe(n);
      expect(back.every((x, i) => x === data[i])).toBe(true);
    });
  }

  it('refuses a shape that does not match the data', () => {
    expect(() => saveTensor(new Float32Array(6), [2, 4])).toThrow(/shape \(2, 4\) does not hold 6 values/);
    expect(() => saveTensor(new Float32Array(1), [1], { archiveName: 'a/b' })).toThrow(/bad archive name/);
  });
});
