// The identity score of an inverted (or edited) identity: the photo's face against the faces in N images the
// identity generates (fixed seeds, fixed prompt). An image without a detectable face counts as 0 and says so.
import { generate } from '../sd/pipeline';
import { tensorToRgba, type Rgba } from '../sd/image';
import type { StableDiffusion } from '../sd/stable-diffusion';
import { detectFaces } from './detect';
import type { FaceModels } from './models';
import { descriptorDistance, descriptorSimilarity, SAME_PERSON_DISTANCE } from './similarity';

export interface ScoreSettings {
  samples: number;
  /** Image i uses seed + i. */
  seed: number;
  prompt: string;
  negative: string;
  steps: number;
  guidance: number;
  /** Image side; default the model's. */
  size?: number;
}

export const SCORE_DEFAULTS: ScoreSettings = {
  samples: 4, seed: 0, prompt: 'a photo of sks person', negative: 'low quality, blurry, unfinished, cartoon', steps: 50, guidance: 3,
};

export interface ImageScore {
  seed: number;
  /** Cosine similarity in [0, 1]; 0 when no face was found. */
  similarity: number;
  /** Descriptor distance, null without a face. */
  distance: number | null;
  face: boolean;
}

export interface IdentityScore {
  /** Mean similarity over the images (faceless ones count 0); null when the photo itself shows no face. */
  score: number | null;
  images: ImageScore[];
  /** Images the model's rule calls the photo's person (distance < SAME_PERSON_DISTANCE). */
  samePerson: number;
  notes: string[];
}

/** Scores images against the photo's largest face. */
export async function scoreImages(models: FaceModels, photo: Rgba, images: { seed: number; image: Rgba }[]): Promise<IdentityScore> {
  const ref = await detectFaces(models, photo, { descriptors: true });
  if (!ref.face?.descriptor) return { score: null, images: [], samePerson: 0, notes: ['no face found in the photo: there is nothing to score against'] };
  const scores: ImageScore[] = [];
  for (const { seed, image } of images) {
    const d = (await detectFaces(models, image, { descriptors: true })).face?.descriptor;
    scores.push(d
      ? { seed, similarity: descriptorSimilarity(ref.face.descriptor, d), distance: descriptorDistance(ref.face.descriptor, d), face: true }
      : { seed, similarity: 0, distance: null, face: false });
  }
  const faceless = scores.filter((s) => !s.face).length;
  return {
    score: scores.length ? scores.reduce((s, x) => s + x.similarity, 0) / scores.length : 0,
    images: scores,
    samePerson: scores.filter((s) => s.distance !== null && s.distance < SAME_PERSON_DISTANCE).length,
    notes: faceless ? [`${faceless} of ${scores.length} generated images show no face (counted as 0)`] : [],
  };
}

/** Generates the identity's N images (LoRA vector `lora`) and scores them against the photo. */
export async function scoreIdentity(
  sd: StableDiffusion, models: FaceModels, photo: Rgba, lora: Float32Array, opts: Partial<ScoreSettings> = {},
  onImage?: (i: number, total: number) => void,
): Promise<IdentityScore> {
  const o = { ...SCORE_DEFAULTS, ...opts };
  if (!Number.isInteger(o.samples) || o.samples < 1) throw new Error(`identity score: samples must be a positive integer, got ${o.samples}`);
  const images: { seed: number; image: Rgba }[] = [];
  for (let i = 0; i < o.samples; i++) {
    const seed = o.seed + i;
    const { image } = await generate(sd, {
      prompt: o.prompt, negative: o.negative, seed, steps: o.steps, guidance: o.guidance, width: o.size, height: o.size, lora,
    });
    images.push({ seed, image: tensorToRgba(image) });
    onImage?.(i + 1, o.samples);
  }
  return scoreImages(models, photo, images);
}

/** The best-scoring preview of an inversion so far, kept so that a run that drifts can be rolled back. */
export interface BestStep {
  step: number;
  score: number;
  coef: Float32Array;
}

/** `next` replaces `best` only when it scores strictly higher (on a tie the earlier step stays). */
export function keepBest(best: BestStep | undefined, next: BestStep): BestStep {
  return !best || next.score > best.score ? next : best;
}
