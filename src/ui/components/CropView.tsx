// The crop square drawn over the photo (what the model will see), the rest dimmed.
import type { CropSquare } from '../../engine/invert/index';

export function CropView({ crop, width, height }: { crop: CropSquare; width: number; height: number }) {
  const pct = (v: number, of: number) => `${(100 * v) / of}%`;
  return (
    <div
      className="crop-square"
      data-testid="crop-square"
      style={{ left: pct(crop.x, width), top: pct(crop.y, height), width: pct(crop.size, width), height: pct(crop.size, height) }}
    />
  );
}
