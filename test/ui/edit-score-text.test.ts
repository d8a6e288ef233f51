// The before/after edit score line (src/ui/actions/face.ts): both scores, the verdict by the face model's
// threshold, then each image's values.
import { describe, expect, it } from 'vitest';
import { editScoreText } from '../../src/ui/actions/score-text';
import type { IdentityScore } from '../../workers/protocol';

const score = (values: (number | null)[], same: number): IdentityScore => ({
  score: values.reduce<number>((a, v) => a + (v ?? 0), 0) / values.length,
  images: values.map((v, seed) => ({ seed, similarity: v ?? 0, distance: v === null ? null : 1 - v, face: v !== null })),
  samePerson: same,
  notes: [],
});

describe('identity score before / after edits', () => {
  it('kept: most edited images are still the photo\'s person', () => {
    expect(editScoreText(score([0.8, 0.7, 0.7, 0.6], 4), score([0.7, 0.6, 0.6, 0.3], 3))).toMatch(
      /^Identity score before edits 0\.70, after edits 0\.55 \(identity kept by the face model's threshold: 3 of 4 edited images the photo's person, 4 of 4 before\)\. Before edits: Identity score 0\.70 .* After edits: Identity score 0\.55 /,
    );
  });
  it('changed: the edits lose the person', () => {
    expect(editScoreText(score([0.8, 0.7, 0.7, 0.6], 3), score([0.2, null, 0.3, 0.1], 0))).toMatch(/^Identity score before edits 0\.70, after edits 0\.15 \(identity changed by the face model's threshold: 0 of 4 /);
  });
  it('nothing to keep: the unedited identity is not the person either', () => {
    expect(editScoreText(score([null, null], 0), score([null, null], 0))).toMatch(
      /^Identity score before edits 0\.00, after edits 0\.00 \(the unedited identity is not the photo's person by the face model's threshold either: 0 of 2 /,
    );
  });
});
