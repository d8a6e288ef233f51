// Hostile and broken inputs: refused globals (before anything could run), malformed zips and pickles,
// storages and views that do not fit — each a specific Error, never a crash or a giant allocation.
import { describe, expect, it } from 'vitest';
import { fromBytes } from '../../src/engine/io/source';
import { loadDataFrame, loadTensor, loadTorch } from '../../src/engine/torch/index';
import { tensorPickle, torchZip } from '../../src/engine/torch/write';
import { pk, spaceBytes, str, u32 } from './helpers';

const PROTO2 = pk(0x80, 2);
const zipOf = (pickle: Uint8Array, extra: [string, Uint8Array][] = []): Uint8Array =>
  torchZip('evil', [['data.pkl', pickle], ...extra, ['version', pk('3\n')]]);
const load = (pickle: Uint8Array, extra: [string, Uint8Array][] = []) => loadTorch(fromBytes('evil.pt', zipOf(pickle, extra)));

describe('refused globals', () => {
  it('os.system: refused at the GLOBAL opcode, before its REDUCE', async () => {
    await expect(load(pk(PROTO2, 'cos\nsystem\n', str('touch /tmp/pwned'), 0x85, 'R.'))).rejects.toThrow(
      /^evil\.pt \(evil\/data\.pkl\): refused global os\.system: .*\(pickle byte 2\)$/,
    );
  });
  it('builtins.eval, by GLOBAL with the Python 2 module name and by STACK_GLOBAL', async () => {
    await expect(load(pk(PROTO2, 'c__builtin__\neval\n', str('1'), 0x85, 'R.'))).rejects.toThrow(/refused global builtins\.eval/);
    const p4 = pk(0x80, 4, 0x8c, 8, 'builtins', 0x94, 0x8c, 4, 'eval', 0x94, 0x93, 0x94, str('1'), 0x85, 'R.');
    await expect(load(p4)).rejects.toThrow(/refused global builtins\.eval:.*pickle byte 20/);
  });
  it('getattr-style escapes and unknown torch functions are refused too', async () => {
    await expect(load(pk(PROTO2, 'cbuiltins\ngetattr\n.'))).rejects.toThrow(/refused global builtins\.getattr/);
    await expect(load(pk(PROTO2, 'ctorch\nload\n.'))).rejects.toThrow(/refused global torch\.load/);
  });
  it('an allowed class cannot be called where it is only a value', async () => {
    await expect(load(pk(PROTO2, 'ctorch\nFloatStorage\n)R.'))).rejects.toThrow(/torch\.FloatStorage cannot be called/);
  });
});

describe('protocol 4 and 5 opcodes', () => {
  it('reads a framed pickle with MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE and torch.Size', async () => {
    const body = pk(0x7d, 0x94, 0x8c, 1, 's', 0x94, 0x8c, 5, 'torch', 0x94, 0x8c, 4, 'Size', 0x94, 0x93, 0x94, 'K', 3, 'K', 4, 0x86, 0x94, 0x85, 'R', 0x94, 's', 0x8c, 1, 'b', 0x88, 's', 0x8c, 1, 'n', 0x8a, 9, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1]), 's.');
    const frame = new Uint8Array(8);
    new DataView(frame.buffer).setUint32(0, body.length, true);
    const v = (await load(pk(0x80, 4, 0x95, frame, body))) as Map<string, unknown>;
    expect([...v]).toEqual([['s', [3, 4]], ['b', true], ['n', 2n ** 64n]]);
  });
});

describe('malformed pickles', () => {
  it('truncation, unknown opcodes and absurd lengths are errors, not allocations', async () => {
    await expect(load(pk(PROTO2, 'K'))).rejects.toThrow(/truncated pickle/);
    await expect(load(pk(PROTO2, ']'))).rejects.toThrow(/truncated pickle/);
    await expect(load(pk(PROTO2, 0xff))).rejects.toThrow(/unknown opcode 0xff/);
    await expect(load(pk(0x80, 4, 0x8d, new Uint8Array([0, 0, 0, 0, 0, 0, 0x0f, 0]), '.'))).rejects.toThrow(/truncated pickle/);
    await expect(load(pk(PROTO2, 0x8b, u32(0x7fffffff), '.'))).rejects.toThrow(/truncated pickle/);
    await expect(load(pk(PROTO2, 'h', 7, '.'))).rejects.toThrow(/memo key 7 was never stored/);
    await expect(load(pk(PROTO2, 'e.'))).rejects.toThrow(/no MARK/);
    await expect(load(pk(PROTO2, '.'))).rejects.toThrow(/stack underflow/);
    await expect(load(pk(PROTO2, 'K', 1, 'K', 2, 'a.'))).rejects.toThrow(/expected a list/);
    await expect(load(pk(0x80, 9, '.'))).rejects.toThrow(/unsupported pickle protocol 9/);
  });

  it('storages and views that do not fit are named', async () => {
    const data = new Uint8Array(16);
    // tensorPickle((5,)) promises 5 floats (20 bytes); the entry holds 16.
    await expect(load(tensorPickle([5]), [['data/0', data]])).rejects.toThrow(/storage 0 should hold 5 float32 \(20 bytes\) but its entry has 16 bytes/);
    await expect(load(tensorPickle([4]))).rejects.toThrow(/entry evil\/data\/0 is missing/);
    const view = pk(PROTO2, 'ctorch._utils\n_rebuild_tensor_v2\n(', pk('(', str('storage'), 'ctorch\nFloatStorage\n', str('0'), str('cpu'), 'K', 4, 't'), 'Q', 'K', 1, 'K', 4, 0x85, 'K', 1, 0x85, 0x89, 'ccollections\nOrderedDict\n)R', 't', 'R.');
    await expect(load(view, [['data/0', data]])).rejects.toThrow(/tensor \(4\) float32 \(offset 1, stride 1\) reaches element 4 of a storage of 4/);
  });
});

describe('huge integers and ranges', () => {
  it('a 1 MB LONG4 is refused at once, naming the file and the opcode position', async () => {
    const t0 = performance.now();
    await expect(load(pk(PROTO2, 0x8b, u32(1 << 20), new Uint8Array(1 << 20).fill(0xa5), '.'))).rejects.toThrow(
      /^evil\.pt \(evil\/data\.pkl\): LONG4 integer of 1048576 bytes refused \(at most 1024\) \(pickle byte 2\)$/,
    );
    await expect(load(pk(PROTO2, 'I', '9'.repeat(1 << 20), '\n.'))).rejects.toThrow(/integer literal of 1048576 characters refused.*pickle byte 2/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
  it('LONG4 and LONG1 at the largest accepted width decode exactly (two\'s complement)', async () => {
    const bytes = new Uint8Array(1024).fill(0xff);
    bytes[0] = 0xfe; // -2
    expect(await load(pk(PROTO2, 0x8b, u32(1024), bytes, '.'))).toBe(-2);
    const big = new Uint8Array(255);
    big[254] = 0x40; // 2^(8·254 + 6)
    expect(await load(pk(PROTO2, 0x8a, 255, big, '.'))).toBe(2n ** BigInt(8 * 254 + 6));
    expect(await load(pk(PROTO2, 0x8a, 2, new Uint8Array([0x00, 0x80]), '.'))).toBe(-32768);
  });
  it('a RangeIndex of 1e8 rows with no columns loads without making 1e8 labels', async () => {
    const i32 = (n: number) => new Uint8Array(new Int32Array([n]).buffer);
    const range = (stop: number) =>
      pk('cpandas.core.indexes.base\n_new_Index\n', 'cpandas.core.indexes.range\nRangeIndex\n', '}', str('stop'), 'J', i32(stop), 's', 0x86, 'R');
    const frame = pk(PROTO2, 'cpandas.core.frame\nDataFrame\n)', 0x81, '}', str('_mgr'), 'cpandas.core.internals.managers\nBlockManager\n',
      ']', '(', range(0), range(1e8), 'l', 0x86, 'R', 's', 'b.');
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const df = await loadDataFrame(fromBytes('big.pt', zipOf(frame)));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50e6); // 1e8 labels would be ≥ 800 MB
    expect([df.rows, df.columns.length, df.index.length, df.index.label(99_999_999)]).toEqual([1e8, 0, 1e8, 99_999_999]);
  });
});

describe('malformed zips', () => {
  const mean = spaceBytes('mean');
  it('a compressed entry names the file and the entry', async () => {
    const bad = mean.slice();
    const dv = new DataView(bad.buffer);
    const cd = Number(dv.getBigUint64(bad.length - 22 - 20 - 56 + 48, true));
    dv.setUint16(cd + 10, 8, true);
    await expect(loadTorch(fromBytes('mean.pt', bad))).rejects.toThrow(/^mean\.pt: entry mean\/data\.pkl is compressed \(method 8\)/);
  });
  it('not a zip, the legacy format, truncation and a corrupt pickle entry', async () => {
    await expect(loadTorch(fromBytes('x.pt', new Uint8Array(100)))).rejects.toThrow(/x\.pt: not a zip archive/);
    await expect(loadTorch(fromBytes('x.pt', pk(0x80, 2, 0x8a, 10, new Uint8Array(100))))).rejects.toThrow(/legacy torch\.save format/);
    await expect(loadTorch(fromBytes('mean.pt', mean.subarray(0, mean.length - 30)))).rejects.toThrow(/mean\.pt: not a zip archive/);
    const flipped = mean.slice();
    flipped[100] ^= 1;
    await expect(loadTorch(fromBytes('mean.pt', flipped))).rejects.toThrow(/entry mean\/data\.pkl is corrupt \(CRC-32/);
    const data = mean.slice();
    data[1000] ^= 1;
    const t = await loadTensor(fromBytes('mean.pt', data));
    await expect(t.read()).rejects.toThrow(/entry mean\/data\/0 is corrupt/);
  });
});
