// A run's live region: announced at the start, at each tenth and at the end, never once per step.
import { describe, expect, it } from 'vitest';
import { progressAnnouncement } from '../../src/ui/announce';

describe('progressAnnouncement', () => {
  it('a 500-step run changes its text 11 times while running, then says done', () => {
    const texts = Array.from({ length: 501 }, (_, step) => progressAnnouncement('inversion', 'running', step, 500));
    const changes = texts.filter((t, i) => i === 0 || t !== texts[i - 1]);
    expect(changes).toEqual(['inversion started', ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => `inversion ${p} %`)]);
    expect(progressAnnouncement('inversion', 'done', 500, 500)).toBe('inversion done');
  });

  it('two steps: started, 50 %, 100 %', () => {
    expect([0, 1, 2].map((s) => progressAnnouncement('inversion', 'running', s, 2))).toEqual(['inversion started', 'inversion 50 %', 'inversion 100 %']);
  });

  it('unknown total, idle and stopped runs', () => {
    expect(progressAnnouncement('download', 'running', 1234, 0)).toBe('download started');
    expect(progressAnnouncement('download', 'running', 5000, 1000)).toBe('download 100 %');
    expect(progressAnnouncement('generation', 'idle', 3, 10)).toBe('');
    expect(progressAnnouncement('generation', 'cancelled', 3, 10)).toBe('generation stopped');
  });
});
