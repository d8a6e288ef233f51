// Photo and mask intake: Pillow-exact resizing, header probes, bad files refused before any decode or
// session, and the fixture's mask reproduced exactly at latent resolution.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeImageNode, decodePng, encodePng } from '../../src/cli/png';
import { ellipseMask, intake, prepareMask, preparePhoto, probeImage, resizeBilinear } from '../../src/engine/invert/index';
import { folderFromPath } from '../../src/engine/io/model-folder-node';
import { createNodeSession } from '../../src/engine/runtime/node';
import { StableDiffusion } from '../../src/engine/sd/stable-diffusion';
import { fixturePath, openFixture } from '../helpers/fixture';
import { gifHeader, jpegHeader, pattern, pngClaiming, pngCorrupt, webpVp8xHeader } from './pixels';

const rgbHash = (img: { data: Uint8ClampedArray }) =>
  createHash('sha256').update(img.data.filter((_, i) => i % 4 !== 3)).digest('hex').slice(0, 16);

describe('resizing as Pillow 9.4 does', () => {
  // Expected: sha256 of `Image.resize((w, h), Image.BILINEAR, box)` on the same 53×31 pattern, computed with Pillow.
  const src = pattern(53, 31);
  it.each([
    [20, 12, undefined, '5c401e91102d1f52'],
    [100, 64, undefined, '3c215f96700aec42'],
    [53, 16, undefined, '403b6b7179c50158'],
    [17, 31, undefined, 'eb686cfd9b0c3f78'],
    [24, 24, [10.5, 3.25, 40, 30], '93195aee275da839'],
    [64, 64, [0, 0, 31, 31], '39b13f5b37e1a203'],
  ] as const)('%i×%i box %j', (w, h, box, hash) => {
    expect(rgbHash(resizeBilinear(src, w, h, box))).toBe(hash);
  });

  it('center crop = torchvision Resize(24) + CenterCrop(24) on Pillow', () => {
    const p = preparePhoto(src, 24);
    expect(rgbHash(p.pixels)).toBe('966407e7355858ad');
    expect(p.image.shape).toEqual([1, 3, 24, 24]);
    // Resized to 41×24; left = round(8.5) = 8 (Python rounds halves to even); the box maps back to source pixels.
    expect(p.box).toEqual([(8 * 53) / 41, 0, (32 * 53) / 41, 31]);
  });

  it('values are ToTensor + Normalize(0.5, 0.5) in float32', () => {
    const p = preparePhoto(src, 53, { x: 0, y: 0, size: 31 });
    const px = p.pixels.data;
    const x = p.image.data as Float32Array;
    for (const i of [0, 100, 2000]) expect(x[i]).toBe(Math.fround(Math.fround(px[i * 4] / 255) - 0.5) * 2);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
  });

  it('a crop square outside the image is refused', () => {
    expect(() => preparePhoto(src, 16, { x: 30, y: 0, size: 31 })).toThrow(/crop square .* does not lie inside the 53×31 image/);
  });
});

describe('image headers', () => {
  it('reads format and size of PNG, JPEG (after fill bytes), WebP, GIF', () => {
    expect(probeImage(pngClaiming(640, 480))).toEqual({ format: 'png', width: 640, height: 480 });
    expect(probeImage(jpegHeader(4032, 3024))).toEqual({ format: 'jpeg', width: 4032, height: 3024 });
    expect(probeImage(webpVp8xHeader(1000, 700))).toEqual({ format: 'webp', width: 1000, height: 700 });
    expect(probeImage(gifHeader(33, 44))).toEqual({ format: 'gif', width: 33, height: 44 });
  });

  it.each([
    ['empty', new Uint8Array(0), /a\.png: empty file \(0 bytes\)/],
    ['zero-size', pngClaiming(0, 10), /a\.png: image has zero size \(0×10\)/],
    ['huge', pngClaiming(20000, 20000), /a\.png: image is 20000×20000 \(400\.0 megapixels\); the limit is 64 megapixels/],
    ['non-image', new TextEncoder().encode('hello, not a picture'), /a\.png: not an image \(unrecognized format; first bytes 68 65 6c/],
    ['truncated', pngClaiming(10, 10).subarray(0, 20), /a\.png: truncated PNG header \(20 bytes\)/],
    ['huge JPEG', jpegHeader(30000, 30000), /image is 30000×30000/],
  ])('%s → a clear error', (_, bytes, msg) => {
    expect(() => probeImage(bytes, 'a.png')).toThrow(msg);
  });

  it('corrupt PNG data fails in the decoder with the file name', () => {
    expect(() => decodePng(pngCorrupt(), 'c.png')).toThrow(/c\.png: corrupt PNG image data|c\.png: bad PNG filter/);
  });

  it('Node decodes PNG only and says so for other formats', async () => {
    await expect(async () => decodeImageNode(jpegHeader(8, 8), { format: 'jpeg', width: 8, height: 8 }, 'p.jpg')).rejects.toThrow(
      /p\.jpg: JPEG files are not decoded in Node; convert it to PNG/,
    );
  });
});

describe('intake on the fixture', () => {
  const files = async () => ({
    photo: { name: 'inversion-photo.png', bytes: await readFile(fixturePath('inversion-photo.png')) },
    mask: { name: 'inversion-mask.png', bytes: await readFile(fixturePath('inversion-mask.png')) },
  });
  const sizes = { defaultImageSize: 64, vaeScaleFactor: 8 };

  it('the mode "1" mask at 8×8 equals the evaluation set\'s mask exactly', async () => {
    const { photo, mask } = await files();
    const r = await intake(photo, mask, decodeImageNode, sizes);
    const expected = await (await openFixture('inversion-eval.safetensors')).readFloat32('mask');
    expect(Array.from(r.mask.data)).toEqual(Array.from(expected));
    expect(new Set(r.mask.data)).toEqual(new Set([0, 1]));
    expect(r.notes).toEqual([]);
    // 64 px photo at 64 px: the pixels pass through unchanged.
    const src = decodePng(photo.bytes);
    expect(Buffer.from(r.pixels.data).equals(Buffer.from(src.data.map((v, i) => (i % 4 === 3 ? 255 : v))))).toBe(true);
  });

  it('a mask of another size is resized to the photo with a note', async () => {
    const { photo, mask } = await files();
    const m = decodePng(mask.bytes);
    const big = resizeNearest2x(m);
    const r = await intake(photo, { name: 'big.png', bytes: encodePng(big) }, decodeImageNode, sizes);
    expect(r.notes).toEqual(["big.png: 128×128 differs from the photo's 64×64; resized to it (nearest)"]);
    const same = await intake(photo, mask, decodeImageNode, sizes);
    expect(Array.from(r.mask.data)).toEqual(Array.from(same.mask.data));
  });

  it('no mask is all ones; an empty mask is refused; the ellipse helper covers the head region', () => {
    expect(Array.from(prepareMask(null, { width: 64, height: 64 }, [0, 0, 64, 64], 8, 8).data)).toEqual(new Array(64).fill(1));
    const black = { width: 4, height: 4, data: new Uint8ClampedArray(64).fill(0) };
    expect(() => prepareMask(black, { width: 4, height: 4 }, [0, 0, 4, 4], 2, 2)).toThrow(/mask: selects no pixel at the 2×2 latent resolution/);
    const e = prepareMask(ellipseMask(64, 64), { width: 64, height: 64 }, [0, 0, 64, 64], 8, 8).data;
    const on = e.reduce((a, b) => a + b, 0);
    expect(on).toBeGreaterThan(20);
    expect(on).toBeLessThan(50);
    expect([e[0], e[7], e[63], e[3 * 8 + 3]]).toEqual([0, 0, 0, 1]);
  });

  it('bad files fail before any model session is created', async () => {
    let sessions = 0;
    const sd = await StableDiffusion.load(folderFromPath(fixturePath()), {
      createSession: (g) => {
        sessions++;
        return createNodeSession(g);
      },
    });
    const { photo, mask } = await files();
    const bad = [
      [{ name: 'zero.png', bytes: new Uint8Array(0) }, mask, /zero\.png: empty file/],
      [{ name: 'huge.png', bytes: pngClaiming(20000, 20000) }, mask, /huge\.png: image is 20000×20000/],
      [{ name: 'text.png', bytes: new TextEncoder().encode('{"json": true}') }, mask, /text\.png: not an image/],
      [{ name: 'corrupt.png', bytes: pngCorrupt() }, mask, /corrupt\.png: (corrupt PNG image data|bad PNG filter)/],
      [photo, { name: 'mask.gif', bytes: gifHeader(30000, 30000) }, /mask\.gif: image is 30000×30000/],
    ] as const;
    for (const [p, m, msg] of bad) await expect(intake(p, m, decodeImageNode, sd)).rejects.toThrow(msg);
    expect(sessions).toBe(0);
    await sd.release();
  });
});

function resizeNearest2x(m: { width: number; height: number; data: Uint8ClampedArray }) {
  const w = m.width * 2;
  const data = new Uint8ClampedArray(w * m.height * 2 * 4);
  for (let y = 0; y < m.height * 2; y++)
    for (let x = 0; x < w; x++) data.set(m.data.subarray(((y >> 1) * m.width + (x >> 1)) * 4, ((y >> 1) * m.width + (x >> 1)) * 4 + 4), (y * w + x) * 4);
  return { width: w, height: m.height * 2, data };
}
