import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSha256Hex, Sha256 } from '../../src/engine/io/sha256';

const nodeHex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('Sha256', () => {
  it('matches node:crypto on the empty input and the FIPS "abc" vector', () => {
    expect(new Sha256().hex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new Sha256().update(new TextEncoder().encode('abc')).hex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches node:crypto on random data of every length around the padding boundaries', () => {
    const data = randomBytes(300);
    for (let n = 0; n <= 300; n++) expect(new Sha256().update(data.subarray(0, n)).hex(), `length ${n}`).toBe(nodeHex(data.subarray(0, n)));
  });

  it('gives the same digest however the data is split into chunks', () => {
    const data = randomBytes(1 << 20);
    const want = nodeHex(data);
    for (let trial = 0; trial < 20; trial++) {
      const h = new Sha256();
      for (let at = 0; at < data.length; ) {
        const n = Math.min(data.length - at, Math.floor(Math.random() * (trial % 2 ? 200 : 70_000)));
        h.update(data.subarray(at, at + n));
        at += n;
      }
      expect(h.hex()).toBe(want);
      expect(h.state().length).toBe(data.length);
    }
  });

  it('resumes from a JSON round trip of its state at any split point, and hex() leaves the state alone', () => {
    const data = randomBytes(5000);
    const want = nodeHex(data);
    for (const cut of [0, 1, 63, 64, 65, 127, 2500, 4999, 5000]) {
      const a = new Sha256().update(data.subarray(0, cut));
      a.hex();
      const b = new Sha256(JSON.parse(JSON.stringify(a.state())));
      expect(b.state().length).toBe(cut);
      expect(b.update(data.subarray(cut)).hex(), `cut ${cut}`).toBe(want);
      expect(a.update(data.subarray(cut)).hex()).toBe(want);
    }
  });

  it('rejects a state that cannot be one', () => {
    const s = new Sha256().update(randomBytes(70)).state();
    expect(() => new Sha256({ ...s, length: s.length + 1 })).toThrow('invalid SHA-256 state');
    expect(() => new Sha256({ ...s, h: s.h.slice(1) })).toThrow('invalid SHA-256 state');
  });

  it('recognizes only 64 hex digits as a SHA-256', () => {
    expect(isSha256Hex('a'.repeat(64))).toBe(true);
    expect(isSha256Hex('A'.repeat(64))).toBe(true);
    expect(isSha256Hex('a'.repeat(40))).toBe(false);
    expect(isSha256Hex('g'.repeat(64))).toBe(false);
    expect(isSha256Hex(undefined)).toBe(false);
  });
});
