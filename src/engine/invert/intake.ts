// From file bytes to the loop's inputs, with every check done before any model session exists: format
// and size from the header, decode (injected: createImageBitmap in a browser, the PNG decoder in Node),
// crop + resize, mask. The model only contributes its sizes.
import type { Rgba } from '../sd/image';
import { probeImage, type ImageLimits, type ImageProbe } from './image-probe';
import type { InversionInputs } from './loop';
import { prepareMask } from './mask';
import { preparePhoto, type CropSquare } from './photo';

/** Decodes bytes already probed; browsers apply EXIF orientation, so width/height may come out swapped. */
export type ImageDecoder = (bytes: Uint8Array, probe: ImageProbe, name: string) => Rgba | Promise<Rgba>;

export interface ImageFile {
  name: string;
  bytes: Uint8Array;
}

/** Probe, then decode, then check that the pixels are what the header promised. */
export async function loadImage(file: ImageFile, decode: ImageDecoder, limits?: ImageLimits): Promise<Rgba> {
  const probe = probeImage(file.bytes, file.name, limits);
  const img = await decode(file.bytes, probe, file.name);
  const asHeader = (img.width === probe.width && img.height === probe.height) || (img.width === probe.height && img.height === probe.width);
  if (!asHeader || img.data.length !== img.width * img.height * 4)
    throw new Error(`${file.name}: decoded ${img.width}×${img.height} pixels but the header says ${probe.width}×${probe.height}`);
  return img;
}

/** The sizes intake needs from the model (a StableDiffusion has them). */
export interface ModelSizes {
  /** Square image side the model is trained at (UNet sample_size × VAE factor). */
  readonly defaultImageSize: number;
  readonly vaeScaleFactor: number;
}

export interface IntakeOptions {
  /** Image side; default the model's. */
  size?: number;
  crop?: CropSquare;
  limits?: ImageLimits;
}

export interface Intake extends InversionInputs {
  /** The S×S pixels the model sees, for previews. */
  pixels: Rgba;
  notes: string[];
}

/** Photo and optional mask files → the loop's inputs. */
export async function intake(
  photo: ImageFile,
  mask: ImageFile | null,
  decode: ImageDecoder,
  model: ModelSizes,
  opts: IntakeOptions = {},
): Promise<Intake> {
  const size = opts.size ?? model.defaultImageSize;
  if (!Number.isInteger(size / model.vaeScaleFactor) || size <= 0)
    throw new Error(`inversion: image size ${size} is not a positive multiple of the VAE factor ${model.vaeScaleFactor}`);
  // Both headers first: a bad mask fails before the photo is decoded.
  probeImage(photo.bytes, photo.name, opts.limits);
  if (mask) probeImage(mask.bytes, mask.name, opts.limits);
  const img = await loadImage(photo, decode, opts.limits);
  const maskImg = mask ? await loadImage(mask, decode, opts.limits) : null;
  const p = preparePhoto(img, size, opts.crop, photo.name, opts.limits);
  const latent = size / model.vaeScaleFactor;
  const m = prepareMask(maskImg, img, p.box, latent, latent, mask?.name);
  return { image: p.image, pixels: p.pixels, mask: m, notes: m.notes };
}
