// `score`: the identity score of an identity file against a photo — the photo's face vs the faces in N images
// the identity generates (seeds S…S+N−1, "a photo of sks person"); prints the score and each image's value.
import { scoreIdentity, SCORE_DEFAULTS } from '../engine/face/identity-score';
import { SAME_PERSON_DISTANCE } from '../engine/face/similarity';
import { num, parseFlags, str } from './args';
import { faceModelsNode } from './face-node';
import { readPhotoNode } from './face-photo';
import { MODEL_FLAGS, openModelFromFlags } from './node-model';
import { openSpace, readIdentity } from './space-common';

export async function scoreCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, { known: [...MODEL_FLAGS, 'space', 'k', 'pcs', 'identity', 'image', 'samples', 'seed', 'steps', 'size', 'prompt', 'guidance'] });
  const photo = await readPhotoNode(str(f, 'image'));
  const models = await faceModelsNode();
  const sd = await openModelFromFlags(f);
  try {
    const space = await openSpace(str(f, 'space'), sd.lora, f);
    const { coef } = await readIdentity(space, sd.lora, str(f, 'identity'));
    const samples = num(f, 'samples', SCORE_DEFAULTS.samples);
    const r = await scoreIdentity(sd, models, photo, space.theta(coef), {
      samples, seed: num(f, 'seed', SCORE_DEFAULTS.seed), steps: num(f, 'steps', SCORE_DEFAULTS.steps),
      guidance: num(f, 'guidance', SCORE_DEFAULTS.guidance), prompt: str(f, 'prompt', SCORE_DEFAULTS.prompt),
      size: f.size === undefined ? undefined : num(f, 'size'),
    }, (i, n) => process.stderr.write(`\rimage ${i}/${n}   ${i === n ? '\n' : ''}`));
    for (const n of r.notes) console.log(`note: ${n}`);
    for (const im of r.images)
      console.log(`seed ${im.seed}: ${im.face ? `similarity ${im.similarity.toFixed(4)} distance ${im.distance!.toFixed(4)}` : 'no face (0)'}`);
    if (r.score === null) console.log('score: no face in the photo');
    else console.log(`score: ${r.score.toFixed(4)} (${r.samePerson}/${r.images.length} images the same person: descriptor distance < ${SAME_PERSON_DISTANCE})`);
  } finally {
    await sd.release();
  }
}
