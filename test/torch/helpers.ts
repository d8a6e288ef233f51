// Shared pieces of the torch reader tests: fixture sources, a read-counting ByteSource and a tiny
// pickle assembler for hand-made inputs.
import { readFileSync } from 'node:fs';
import type { ByteSource } from '../../src/engine/io/source';
import { fixturePath } from '../helpers/fixture';

export const SPACE_FILES = ['mean', 'std', 'V', 'proj_16pc', 'pinverse_16pc', 'identity_df', 'weight_dimensions'] as const;

export const spacePath = (name: string): string => fixturePath('w2w-space', `${name}.pt`);
export const spaceBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(spacePath(name)));

/** Wraps a source, recording the length of every read. */
export function counting(src: ByteSource): ByteSource & { reads: number[] } {
  const reads: number[] = [];
  return { name: src.name, size: src.size, reads, read: (o, l) => (reads.push(l), src.read(o, l)) };
}

/** Pickle bytes from opcodes (numbers), latin-1 text and byte arrays. */
export function pk(...parts: (number | string | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else for (const b of p) out.push(b); // no spread: a 1 MB argument would overflow the call stack
  }
  return Uint8Array.from(out);
}

export const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

/** BINUNICODE of an ASCII string. */
export const str = (s: string): Uint8Array => pk(0x58, u32(s.length), s);
