// The photo to invert: a square crop (zoom and pan, keyboard-usable sliders) and a head mask painted
// with a brush/eraser over the photo, starting from nothing (whole image) or a head ellipse.
import { memo, useEffect, useRef, useState, type PointerEvent } from 'react';
import { HEAD_ELLIPSE } from '../../engine/invert/mask';
import { setInvert, useInvert } from '../invert-store';
import { Slider } from './Slider';

const VIEW = 320;
const MAX_MASK_SIDE = 1024;

export const PhotoEditor = memo(function PhotoEditor() {
  const photo = useInvert((s) => s.photo)!;
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState({ x: 0.5, y: 0.5 });
  const [tool, setTool] = useState<'brush' | 'eraser'>('brush');
  const [brush, setBrush] = useState(0.06);
  const [painted, setPainted] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const { width: w, height: h } = photo;
  const scale = Math.min(1, MAX_MASK_SIDE / Math.max(w, h));
  const side = Math.min(w, h) / zoom;
  const crop = { x: pan.x * (w - side), y: pan.y * (h - side), size: side };
  const view = VIEW / Math.max(w, h);

  useEffect(() => {
    setInvert({ crop: zoom === 1 && pan.x === 0.5 && pan.y === 0.5 ? undefined : crop });
  }, [zoom, pan.x, pan.y]); // eslint-disable-line react-hooks/exhaustive-deps

  const publish = () => {
    if (!painted) return setInvert({ mask: null });
    canvas.current!.toBlob((b) => setInvert({ mask: b }), 'image/png');
  };
  const ctx = () => canvas.current!.getContext('2d')!;
  const clear = () => {
    const c = ctx();
    c.fillStyle = '#000';
    c.fillRect(0, 0, c.canvas.width, c.canvas.height);
  };
  useEffect(() => {
    clear();
    setPainted(false);
    setInvert({ mask: null });
  }, [photo.url]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(publish, [painted]); // eslint-disable-line react-hooks/exhaustive-deps

  const paint = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const c = ctx();
    const x = ((e.clientX - r.left) / r.width) * c.canvas.width;
    const y = ((e.clientY - r.top) / r.height) * c.canvas.height;
    c.fillStyle = tool === 'brush' ? '#fff' : '#000';
    c.beginPath();
    c.arc(x, y, brush * Math.max(c.canvas.width, c.canvas.height), 0, 2 * Math.PI);
    c.fill();
    setPainted(true);
  };
  const ellipse = () => {
    clear();
    const c = ctx();
    const s = scale;
    c.fillStyle = '#fff';
    c.beginPath();
    c.ellipse((crop.x + HEAD_ELLIPSE.cx * side) * s, (crop.y + HEAD_ELLIPSE.cy * side) * s, HEAD_ELLIPSE.rx * side * s, HEAD_ELLIPSE.ry * side * s, 0, 0, 2 * Math.PI);
    c.fill();
    setPainted(true);
    publish();
  };

  return (
    <div className="photo-editor">
      <div className="stack" style={{ width: w * view, height: h * view }}>
        <img src={photo.url} alt={`photo to invert: ${photo.file.name}`} width={w * view} height={h * view} />
        <canvas
          ref={canvas}
          className="mask"
          aria-label="head mask: paint the face, hair and ears"
          width={Math.round(w * scale)}
          height={Math.round(h * scale)}
          style={{ width: w * view, height: h * view, opacity: painted ? 0.45 : 0.15 }}
          onPointerDown={(e) => {
            drawing.current = true;
            e.currentTarget.setPointerCapture(e.pointerId);
            paint(e);
          }}
          onPointerMove={(e) => drawing.current && paint(e)}
          onPointerUp={() => {
            drawing.current = false;
            publish();
          }}
        />
        <div className="crop" style={{ left: crop.x * view, top: crop.y * view, width: side * view, height: side * view }} />
      </div>
      <Slider label="Crop zoom" value={zoom} min={1} max={4} step={0.05} onChange={setZoom} />
      <Slider label="Crop left–right" value={pan.x} min={0} max={1} step={0.01} onChange={(x) => setPan({ ...pan, x })} />
      <Slider label="Crop top–bottom" value={pan.y} min={0} max={1} step={0.01} onChange={(y) => setPan({ ...pan, y })} />
      <div className="row" role="group" aria-label="mask tools">
        <button aria-pressed={tool === 'brush'} onClick={() => setTool('brush')}>
          Brush
        </button>
        <button aria-pressed={tool === 'eraser'} onClick={() => setTool('eraser')}>
          Eraser
        </button>
        <button onClick={ellipse}>Head ellipse</button>
        <button
          onClick={() => {
            clear();
            setPainted(false);
          }}
        >
          No mask
        </button>
      </div>
      <Slider label="Brush size" value={brush} min={0.01} max={0.2} step={0.01} onChange={setBrush} />
      <p className="hint">{painted ? 'Only the white area counts in the loss.' : 'No mask: the whole image counts.'}</p>
    </div>
  );
});
