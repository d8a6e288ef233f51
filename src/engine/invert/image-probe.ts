// What an image file claims to be, read from its header alone: format and pixel size. Inversion checks
// this before decoding (a 20000×20000 photo would need 1.6 GB of RGBA) and before any session is made.

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'avif';

export interface ImageProbe {
  format: ImageFormat;
  width: number;
  height: number;
}

export interface ImageLimits {
  /** Largest accepted width·height (default 64 megapixels: 256 MB as RGBA). */
  maxPixels?: number;
  /** Largest accepted side (default 16384, what browsers' canvases take). */
  maxSide?: number;
}

export const DEFAULT_MAX_PIXELS = 64_000_000;
export const DEFAULT_MAX_SIDE = 16384;

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

function need(b: Uint8Array, n: number, name: string, format: string): void {
  if (b.length < n) throw new Error(`${name}: truncated ${format} header (${b.length} bytes)`);
}

function probePng(b: Uint8Array, v: DataView, name: string): ImageProbe {
  need(b, 24, name, 'PNG');
  if (ascii(b, 12, 4) !== 'IHDR') throw new Error(`${name}: corrupt PNG (no IHDR chunk first)`);
  return { format: 'png', width: v.getUint32(16), height: v.getUint32(20) };
}

// Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function probeJpeg(b: Uint8Array, v: DataView, name: string): ImageProbe {
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) throw new Error(`${name}: corrupt JPEG (no marker at byte ${pos})`);
    const m = b[pos + 1];
    if (m === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) {
      pos += 2; // markers without a length
      continue;
    }
    if (m === 0xd9 || m === 0xda) break; // end of image / start of scan before any frame header
    const len = v.getUint16(pos + 2);
    if (isSof(m)) {
      need(b, pos + 9, name, 'JPEG');
      return { format: 'jpeg', height: v.getUint16(pos + 5), width: v.getUint16(pos + 7) };
    }
    pos += 2 + len;
  }
  throw new Error(`${name}: corrupt JPEG (no frame header)`);
}

function probeWebp(b: Uint8Array, v: DataView, name: string): ImageProbe {
  need(b, 30, name, 'WebP');
  const chunk = ascii(b, 12, 4);
  const u24 = (at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
  if (chunk === 'VP8X') return { format: 'webp', width: 1 + u24(24), height: 1 + u24(27) };
  if (chunk === 'VP8L') {
    const bits = v.getUint32(21, true);
    return { format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { format: 'webp', width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
  throw new Error(`${name}: corrupt WebP (unknown chunk ${JSON.stringify(chunk)})`);
}

// AVIF (ISO-BMFF): the image spatial extents box 'ispe' holds the size; it sits near the start.
function probeAvif(b: Uint8Array, v: DataView, name: string): ImageProbe {
  const end = Math.min(b.length - 16, 1 << 16);
  for (let i = 0; i < end; i++)
    if (b[i] === 0x69 && ascii(b, i, 4) === 'ispe') return { format: 'avif', width: v.getUint32(i + 8), height: v.getUint32(i + 12) };
  throw new Error(`${name}: corrupt AVIF (no ispe box)`);
}

function detect(b: Uint8Array, v: DataView, name: string): ImageProbe {
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') return probePng(b, v, name);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return probeJpeg(b, v, name);
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return probeWebp(b, v, name);
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    need(b, 10, name, 'GIF');
    return { format: 'gif', width: v.getUint16(6, true), height: v.getUint16(8, true) };
  }
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') {
    need(b, 26, name, 'BMP');
    return { format: 'bmp', width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
  }
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp' && ['avif', 'avis'].includes(ascii(b, 8, 4))) return probeAvif(b, v, name);
  const head = Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
  throw new Error(`${name}: not an image (unrecognized format; first bytes ${head}); use PNG, JPEG, WebP, GIF, BMP or AVIF`);
}

/**
 * Format and size from the header, checked against the limits: empty files, non-images, corrupt headers,
 * zero-size and oversized images all fail here with the file's name and the numbers.
 */
export function probeImage(bytes: Uint8Array, name = 'image', limits: ImageLimits = {}): ImageProbe {
  if (bytes.length === 0) throw new Error(`${name}: empty file (0 bytes)`);
  const p = detect(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
  checkImageSize(p.width, p.height, name, limits);
  return p;
}

/** The same size rules for pixels already decoded (e.g. a browser ImageBitmap). */
export function checkImageSize(width: number, height: number, name = 'image', limits: ImageLimits = {}): void {
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxSide = limits.maxSide ?? DEFAULT_MAX_SIDE;
  if (!(width > 0 && height > 0)) throw new Error(`${name}: image has zero size (${width}×${height})`);
  if (width * height > maxPixels || width > maxSide || height > maxSide)
    throw new Error(
      `${name}: image is ${width}×${height} (${((width * height) / 1e6).toFixed(1)} megapixels); the limit is ` +
        `${(maxPixels / 1e6).toFixed(0)} megapixels and ${maxSide} pixels a side — downscale it first`,
    );
}
