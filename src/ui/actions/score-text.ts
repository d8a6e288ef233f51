// The identity score's lines (pure: no stores, no workers): one score with each image's value, and the
// before/after edit score with its verdict by the face model's threshold.
import type { IdentityScore } from '../../../workers/protocol';

/** A score with each image's value ("no face" for images without one, counted as 0). */
export function scoreText(r: IdentityScore): string {
  if (r.score === null) return 'Identity score: no face in the photo, nothing to compare.';
  const each = r.images.map((i) => (i.face ? i.similarity.toFixed(2) : 'no face')).join(', ');
  return `Identity score ${r.score.toFixed(2)} (0–1, higher = same person) over ${r.images.length} generated images: ${each}; ${r.samePerson} of ${r.images.length} the same person by the face model's threshold.`;
}

/** Whether an identity is the photo's person: most of its images by the face model's threshold. */
const same = (r: IdentityScore) => r.samePerson > r.images.length / 2;

/** The before/after line: both scores and whether the edits kept the identity, then each image's values. */
export function editScoreText(b: IdentityScore, a: IdentityScore): string {
  const counts = `${a.samePerson} of ${a.images.length} edited images the photo's person, ${b.samePerson} of ${b.images.length} before`;
  const verdict = same(b)
    ? `identity ${same(a) ? 'kept' : 'changed'} by the face model's threshold: ${counts}`
    : `the unedited identity is not the photo's person by the face model's threshold either: ${counts}`;
  return `Identity score before edits ${(b.score ?? 0).toFixed(2)}, after edits ${(a.score ?? 0).toFixed(2)} (${verdict}). Before edits: ${scoreText(b)} After edits: ${scoreText(a)}`;
}
