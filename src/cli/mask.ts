// `mask`: the automatic head mask of a photo as a PNG (white = head), at the photo's size, or with
// --auto-crop at the automatic crop's (its square is printed as the `--crop` that `invert` takes).
import { writeFile } from 'node:fs/promises';
import { autoFrame } from '../engine/face/auto-frame';
import { resizeBilinear } from '../engine/invert/resample';
import type { Rgba } from '../engine/sd/image';
import { parseFlags, str } from './args';
import { facesOrNote, readPhotoNode } from './face-photo';
import { encodePng } from './png';

/** The crop's pixels of a binary mask, at the crop's side (rounded); re-binarised after the resampling. */
function cropMask(mask: Rgba, c: { x: number; y: number; size: number }): Rgba {
  const side = Math.max(1, Math.round(c.size));
  const out = resizeBilinear(mask, side, side, [c.x, c.y, c.x + c.size, c.y + c.size]);
  for (let p = 0; p < out.data.length; p += 4) {
    out.data.fill(out.data[p] >= 128 ? 255 : 0, p, p + 3);
    out.data[p + 3] = 255;
  }
  return out;
}

export async function maskCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, { known: ['image', 'out', 'auto-crop'], boolean: ['auto-crop'] });
  const image = str(f, 'image');
  const out = str(f, 'out');
  const img = await readPhotoNode(image);
  const frame = autoFrame(await facesOrNote(img), img);
  for (const n of frame.notes) console.log(`note: ${n}`);
  let mask = frame.mask;
  if (f['auto-crop'] === true) {
    // No face: the reference's centre square.
    const side = Math.min(img.width, img.height);
    const c = frame.crop ?? { x: (img.width - side) / 2, y: (img.height - side) / 2, size: side };
    console.log(`crop: ${[c.x, c.y, c.size].map((v) => +v.toFixed(2)).join(',')}`);
    mask = cropMask(mask, c);
  }
  await writeFile(out, encodePng(mask));
  console.log(`wrote ${out}: ${mask.width}×${mask.height}`);
}
