// The crop square from the invert panel's view (the photo scaled to 512 px on its longer side, each side
// rounded) to photo pixels: squares dragged to any edge, at any zoom, stay inside the photo and
// preparePhoto accepts them (one x scale for both axes pushed y past the bottom edge).
import { describe, expect, it } from 'vitest';
import { preparePhoto } from '../../src/engine/invert/index';
import { centeredCrop, moveCrop, viewCropToPhoto, zoomCrop } from '../../src/ui/crop';
import { viewSize } from '../../workers/invert-photo';
import { pattern } from '../invert/pixels';

describe('view crop → photo crop', () => {
  it.each([
    [333, 1000, 1],
    [999, 1000, 1],
    [1000, 335, 2],
    [1000, 335, 1],
    [513, 1000, 3.7],
  ])('%i×%i at zoom %d, dragged to every edge', (w, h, zoom) => {
    const [vw, vh] = viewSize(w, h);
    const photo = pattern(w, h);
    const zoomed = zoomCrop(centeredCrop(vw, vh), zoom, vw, vh);
    for (const [dx, dy] of [[0, 1e4], [1e4, 0], [-1e4, 0], [0, -1e4], [1e4, 1e4]]) {
      const view = moveCrop(zoomed, dx, dy, vw, vh);
      const c = viewCropToPhoto(view, { width: vw, height: vh }, { width: w, height: h });
      expect(c.x).toBeGreaterThanOrEqual(0);
      expect(c.y).toBeGreaterThanOrEqual(0);
      expect(c.x + c.size).toBeLessThanOrEqual(w);
      expect(c.y + c.size).toBeLessThanOrEqual(h);
      // The side follows the zoom; a square dragged to an edge ends on that photo edge.
      expect(c.size).toBeCloseTo(Math.min(w, h) / zoom, 6);
      if (dy > 0) expect(c.y + c.size).toBeCloseTo(h, 6);
      if (dx > 0) expect(c.x + c.size).toBeCloseTo(w, 6);
      if (dy < 0) expect(c.y).toBe(0);
      if (dx < 0) expect(c.x).toBe(0);
      expect(() => preparePhoto(photo, 64, c, 'photo')).not.toThrow();
    }
  });

  it('the centered view square is the centered photo square', () => {
    // 2000×1999 shows as 512×512: no room to move in the view, centered in the photo.
    for (const [w, h] of [[333, 1000], [999, 1000], [1000, 335], [640, 480], [2000, 1999]]) {
      const [vw, vh] = viewSize(w, h);
      const c = viewCropToPhoto(centeredCrop(vw, vh), { width: vw, height: vh }, { width: w, height: h });
      const e = centeredCrop(w, h);
      expect(c.size).toBeCloseTo(e.size, 9);
      expect(c.x).toBeCloseTo(e.x, 6);
      expect(c.y).toBeCloseTo(e.y, 6);
    }
  });
});
