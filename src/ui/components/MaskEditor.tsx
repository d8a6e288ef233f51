// The photo with the head mask painted over it and the square crop: in "Crop" mode dragging moves the
// square and the wheel zooms it; in "Brush"/"Eraser" mode dragging paints or erases the mask layer
// (opaque white on transparent, at the view's size; the worker samples it at latent resolution).
import { useEffect, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { registerMaskCanvas } from '../actions/mask-layer';
import { centeredCrop, moveCrop, zoomCrop, zoomOf } from '../crop';
import { setInvert, useInvert } from '../invert-store';
import { CropView } from './CropView';

type Point = { x: number; y: number };

export function MaskEditor() {
  const photo = useInvert((s) => s.photo)!;
  const mode = useInvert((s) => s.mode);
  const brush = useInvert((s) => s.brush);
  const crop = useInvert((s) => s.crop) ?? centeredCrop(photo.viewWidth, photo.viewHeight);
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<Point | null>(null);
  const { viewWidth: w, viewHeight: h } = photo;

  useEffect(() => {
    registerMaskCanvas(canvas.current);
    return () => registerMaskCanvas(null);
  }, [photo.url]);

  // The wheel zooms the crop; a native listener, since React's is passive and cannot keep the page still.
  useEffect(() => {
    const c = canvas.current;
    if (!c || mode !== 'crop') return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const cur = useInvert.getState().crop ?? centeredCrop(w, h);
      setInvert({ crop: zoomCrop(cur, zoomOf(cur, w, h) * (e.deltaY < 0 ? 1.1 : 1 / 1.1), w, h) });
    };
    c.addEventListener('wheel', onWheel, { passive: false });
    return () => c.removeEventListener('wheel', onWheel);
  }, [mode, w, h]);

  const at = (e: PointerEvent): Point => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * w) / r.width, y: ((e.clientY - r.top) * h) / r.height };
  };

  const paint = (from: Point, to: Point) => {
    const ctx = canvas.current!.getContext('2d')!;
    ctx.globalCompositeOperation = mode === 'eraser' ? 'destination-out' : 'source-over';
    ctx.strokeStyle = ctx.fillStyle = '#fff';
    ctx.lineWidth = 2 * brush;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x + 0.01, to.y);
    ctx.stroke();
    if (mode === 'brush') setInvert({ masked: true });
  };

  const down = (e: PointerEvent) => {
    canvas.current!.setPointerCapture(e.pointerId);
    const p = at(e);
    last.current = p;
    if (mode !== 'crop') paint(p, p);
  };
  const move = (e: PointerEvent) => {
    const prev = last.current;
    if (!prev) return;
    const p = at(e);
    last.current = p;
    if (mode === 'crop') setInvert({ crop: moveCrop(crop, p.x - prev.x, p.y - prev.y, w, h) });
    else paint(prev, p);
  };
  const up = () => void (last.current = null);

  // Arrow keys move the crop (Shift: faster), + and − zoom it.
  const key = (e: KeyboardEvent) => {
    const d = e.shiftKey ? 32 : 4;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, -d], ArrowDown: [0, d] };
    if (moves[e.key]) setInvert({ crop: moveCrop(crop, ...moves[e.key], w, h) });
    else if (e.key === '+' || e.key === '-') setInvert({ crop: zoomCrop(crop, zoomOf(crop, w, h) * (e.key === '+' ? 1.1 : 1 / 1.1), w, h) });
    else return;
    e.preventDefault();
  };

  return (
    <div className="photo-stage" style={{ width: w, aspectRatio: `${w} / ${h}` }}>
      <img src={photo.url} alt={`photo to invert: ${photo.name}`} draggable={false} />
      <canvas
        ref={canvas}
        className={`mask-layer ${mode}`}
        width={w}
        height={h}
        tabIndex={0}
        aria-label={`${mode === 'crop' ? 'crop square: drag or arrow keys to move, wheel or +/− to zoom' : `mask ${mode}: drag to paint`}`}
        data-testid="mask-canvas"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
        onKeyDown={key}
      />
      <CropView crop={crop} width={w} height={h} />
    </div>
  );
}
