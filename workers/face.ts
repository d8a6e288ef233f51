// Faces in the engine worker: the automatic crop and head mask of the open photo, and identity scores
// against it. A failure to load the face models leaves the manual tools.
import { autoFrame, centreEllipseMask, detectFaces, scoreIdentity, type IdentityScore, type ScoreSettings } from '../src/engine/face/index';
import type { CropSquare } from '../src/engine/invert/index';
import type { Rgba } from '../src/engine/sd/image';
import { faceModels } from './face-models';
import { openedPhoto, type InversionContext } from './invert';
import { layerOf, readImageFile } from './invert-photo';

/** What the page gets on a photo drop: the crop (view pixels; none = centre crop), the brush layer and the notes. */
export interface AutoFace {
  crop?: CropSquare;
  layer: Rgba;
  fromFace: boolean;
  notes: string[];
}

/** Photo pixels → the view's pixels, kept inside the view. */
function toView(c: CropSquare, s: number, w: number, h: number): CropSquare {
  const size = Math.min(c.size * s, w, h);
  return { size, x: Math.min(Math.max(c.x * s, 0), w - size), y: Math.min(Math.max(c.y * s, 0), h - size) };
}

export function faceApi(ctx: InversionContext) {
  const photo = async () => {
    const p = openedPhoto();
    if (!p) throw new Error('drop a photo first');
    return { view: p.view, img: await readImageFile(p.file, p.name) };
  };
  return {
    /** The open photo's automatic crop and head mask (or the centre crop and ellipse, with a note). */
    async autoFace(): Promise<AutoFace> {
      const { view, img } = await photo();
      let frame;
      try {
        frame = autoFrame(await detectFaces(await faceModels(), img), img);
      } catch (e) {
        const notes = [`face detection unavailable (${(e as Error)?.message ?? e}): the centre crop and the head ellipse are used`];
        frame = { mask: centreEllipseMask(img.width, img.height), fromFace: false, notes };
      }
      const crop = frame.crop && toView(frame.crop, view.viewWidth / view.width, view.viewWidth, view.viewHeight);
      return { crop, layer: layerOf(frame.mask, view), fromFace: frame.fromFace, notes: frame.notes };
    },

    /** The identity score of coefficients `coef` against the open photo (the device's generation job). */
    async identityScore(coef: Float32Array, settings: Partial<ScoreSettings>): Promise<IdentityScore> {
      const { img } = await photo();
      const models = await faceModels();
      const sd = ctx.sd();
      const lora = await ctx.space().thetaAsync(coef);
      return ctx.jobs.run('generation', () => scoreIdentity(sd, models, img, lora, settings));
    },
  };
}
