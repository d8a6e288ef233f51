// PNG files for the CLI (Node's zlib): 8-bit RGBA out; 8-bit gray/RGB/RGBA/palette and 1-bit in.
import { deflateSync, inflateSync } from 'node:zlib';
import type { ImageDecoder } from '../engine/invert/intake';
import type { Rgba } from '../engine/sd/image';

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function encodePng(img: Rgba): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const stride = img.width * 4;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) raw.set(img.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** zlib data of at most `expected` bytes (more is a corrupt file or a decompression bomb). */
function inflate(data: Buffer, expected: number, name: string): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: expected });
  } catch (e) {
    throw new Error(`${name}: corrupt PNG image data (${(e as Error).message})`);
  }
}

/** Decodes non-interlaced PNGs of bit depth 8 (gray, gray+alpha, RGB, RGBA, palette) or 1 (gray). */
export function decodePng(buf: Uint8Array, name = 'image'): Rgba {
  if (buf.length < 8 || SIGNATURE.some((b, i) => buf[i] !== b)) throw new Error(`${name}: not a PNG file`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  let width = 0, height = 0, depth = 0, color = 0, interlace = 0;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= buf.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...buf.subarray(pos + 4, pos + 8));
    if (pos + 12 + len > buf.length) throw new Error(`${name}: truncated PNG (${type} chunk)`);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      [depth, color, , , interlace] = data.subarray(8, 13);
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (!width || !height) throw new Error(`${name}: PNG without a valid IHDR`);
  if (interlace) throw new Error(`${name}: interlaced PNGs are not supported`);
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[color];
  if (!channels || !(depth === 8 || (depth === 1 && (color === 0 || color === 3))))
    throw new Error(`${name}: PNG color type ${color} at bit depth ${depth} is not supported`);
  const bpp = Math.max(1, (channels * depth) / 8);
  const stride = Math.ceil((width * channels * depth) / 8);
  const raw = inflate(Buffer.concat(idat), (stride + 1) * height, name);
  if (raw.length < (stride + 1) * height) throw new Error(`${name}: truncated PNG image data`);
  const rows = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const cur = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? rows[y * stride + x - bpp] : 0;
      const b = y > 0 ? rows[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? rows[(y - 1) * stride + x - bpp] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
      if (pred === undefined) throw new Error(`${name}: bad PNG filter ${f}`);
      rows[y * stride + x] = (cur + pred) & 0xff;
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const sample = (k: number) =>
        depth === 1 ? ((rows[y * stride + (x >> 3)] >> (7 - (x & 7))) & 1) * (color === 3 ? 1 : 255) : rows[y * stride + x * channels + k];
      if (color === 3) {
        const idx = sample(0);
        if (!palette || idx * 3 + 2 >= palette.length) throw new Error(`${name}: PNG palette index out of range`);
        out.set([palette[idx * 3], palette[idx * 3 + 1], palette[idx * 3 + 2], 255], o);
      } else if (channels <= 2) {
        const v = sample(0);
        out.set([v, v, v, channels === 2 ? sample(1) : 255], o);
      } else out.set([sample(0), sample(1), sample(2), channels === 4 ? sample(3) : 255], o);
    }
  return { width, height, data: out };
}

/** The inversion intake's decoder in Node: PNG only (JPEG, WebP, … are decoded by the browser app). */
export const decodeImageNode: ImageDecoder = (bytes, probe, name) => {
  if (probe.format !== 'png')
    throw new Error(`${name}: ${probe.format.toUpperCase()} files are not decoded in Node; convert it to PNG (the browser app decodes JPEG, WebP, GIF, BMP and AVIF)`);
  return decodePng(bytes, name);
};
