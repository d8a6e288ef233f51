// Face-aware inversion on the page: on a photo drop the worker finds the face and proposes the crop and head
// mask (editable with the tools as any other); after an inversion, the identity score of the result; on
// Create, the score of the identity before and after its edits.
import type { IdentityScore } from '../../../workers/protocol';
import { errorMessage } from '../errors';
import { getIdentity, setIdentity } from '../identity-store';
import { getInvert, setInvert } from '../invert-store';
import { getApp } from '../store';
import { engineWorker } from '../workers';
import { paintLayer } from './mask-layer';
import { editScoreText, scoreText } from './score-text';
import { baseCoef, editedIdentity } from './space';

/** Images the score generates (seeds 0…N−1, "a photo of sks person"). */
export const SCORE_SAMPLES = 4;

const FOUND = 'face found: automatic crop and head mask (adjust them with the tools)';

/** The automatic crop (with `withCrop`) and head mask of the open photo; notes say what was found. */
export async function autoFace(withCrop = true): Promise<void> {
  const url = getInvert().photo?.url;
  try {
    const r = await engineWorker().autoFace();
    if (getInvert().photo?.url !== url) return; // another photo was dropped meanwhile
    paintLayer(r.layer);
    const notes = [...(r.fromFace ? [FOUND] : []), ...r.notes];
    setInvert((s) => ({ ...(withCrop && r.crop ? { crop: r.crop } : {}), notes: [...s.notes.filter((n) => !notes.includes(n)), ...notes] }));
  } catch (e) {
    setInvert((s) => ({ notes: [...s.notes, `automatic crop and mask failed: ${errorMessage(e)}`] }));
  }
}


/** Scores coefficients against the open photo (seeds 0…N−1, the preview's steps and size, Generate's guidance). */
function scoreCoef(coef: Float32Array): Promise<IdentityScore> {
  const s = getInvert();
  const { gen } = getApp();
  return engineWorker().identityScore(coef, {
    samples: SCORE_SAMPLES, seed: 0, steps: s.previewSteps, guidance: gen.guidance, negative: gen.negative, size: s.size,
  });
}

/** Scores an inversion's coefficients against the open photo; the line goes to the panel. */
export async function scoreInversion(coef: Float32Array): Promise<void> {
  setInvert({ score: 'Identity score: generating images…' });
  try {
    const r = await scoreCoef(coef);
    setInvert({ score: [scoreText(r), ...r.notes].join(' ') });
  } catch (e) {
    setInvert({ score: `Identity score unavailable: ${errorMessage(e)}` });
  }
}

/** The identity without and with its attribute edits (what Export writes), each scored against the open photo. */
export async function scoreEdits(): Promise<void> {
  const { sliders } = getIdentity();
  const done = (text: string) => setIdentity({ editScore: { busy: false, text, sliders } });
  setIdentity({ editScore: { busy: true, text: 'Identity score before / after edits: generating images…', sliders } });
  try {
    const before = await baseCoef();
    const after = (await editedIdentity())?.coef;
    if (!before || !after) throw new Error('no current identity');
    const b = await scoreCoef(before);
    const a = b.score === null ? b : await scoreCoef(after);
    const text = b.score === null || a.score === null ? scoreText(b) : editScoreText(b, a);
    done([text, ...new Set([...b.notes, ...a.notes])].join(' '));
  } catch (e) {
    done(`Identity score unavailable: ${errorMessage(e)}`);
  }
}
