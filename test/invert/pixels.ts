// Synthetic test pictures and hand-built image headers for the intake tests.
import { encodePng } from '../../src/cli/png';
import type { Rgba } from '../../src/engine/sd/image';

/** A deterministic RGB pattern with detail at every scale (so resampling mistakes show). */
export function pattern(w: number, h: number): Rgba {
  const d = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    d[i * 4] = (i * 37) % 256;
    d[i * 4 + 1] = (i * i * 11 + 7) % 256;
    d[i * 4 + 2] = ((i % w) * 9 + Math.floor(i / w) * 5) % 256;
    d[i * 4 + 3] = 255;
  }
  return { width: w, height: h, data: d };
}

/** A PNG whose header claims w×h but carries only a tiny (wrong-sized) image: for size checks that must not decode. */
export function pngClaiming(w: number, h: number): Uint8Array {
  const png = Buffer.from(encodePng(pattern(2, 2)));
  png.writeUInt32BE(w, 16);
  png.writeUInt32BE(h, 20);
  return png;
}

/** A PNG with valid header and garbage image data. */
export function pngCorrupt(): Uint8Array {
  const png = Buffer.from(encodePng(pattern(8, 8)));
  const idat = png.indexOf('IDAT');
  png.fill(0x55, idat + 4, idat + 20);
  return png;
}


/** Minimal headers of other formats, enough for the probe. */
export function jpegHeader(w: number, h: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0, 16, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof = [0xff, 0xc2, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Uint8Array.from([0xff, 0xd8, ...app0, 0xff, 0xff, ...sof, 0xff, 0xd9]);
}

export function webpVp8xHeader(w: number, h: number): Uint8Array {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0);
  b.writeUInt32LE(22, 4);
  b.write('WEBPVP8X', 8);
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(w - 1, 24, 3);
  b.writeUIntLE(h - 1, 27, 3);
  return b;
}

export function gifHeader(w: number, h: number): Uint8Array {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0);
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return b;
}
