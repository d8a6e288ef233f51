// Which face detector (docs/face.md): face-api's tiny detector vs SSD-MobileNet v1 on the test photos —
// faces found, the largest box, its score and the time (tfjs wasm backend, Node). `npx tsx bench/face-detectors.ts`
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePng } from '../src/cli/png';
import { FACE_MODEL_DIR, faceModelsNode } from '../src/cli/face-node';
import { weightMap } from '../src/engine/face/models';
import { mirrored, rescaled } from '../src/engine/face/transform';
import type { Rgba } from '../src/engine/sd/image';

const PHOTOS = join(import.meta.dirname, '../../shared/fixtures/photos');
const { api } = await faceModelsNode();
api.nets.ssdMobilenetv1.loadFromWeightMap(await weightMap(api, (n) => readFile(join(FACE_MODEL_DIR, n)), 'ssd_mobilenetv1_model'));
const astronaut = decodePng(await readFile(join(PHOTOS, 'astronaut.png')));
const photos: [string, Rgba][] = [
  ['astronaut.png', astronaut],
  ['astronaut.png mirrored, ×0.6', rescaled(mirrored(astronaut), 0.6)],
  ['chelsea.png (a cat)', decodePng(await readFile(join(PHOTOS, 'chelsea.png')))],
];
const detectors = {
  'tiny (416)': new api.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }),
  'ssd-mobilenet v1': new api.SsdMobilenetv1Options({ minConfidence: 0.5 }),
};
console.log('| detector | photo | faces | boxes [x, y, w, h] (score) | ms |\n| --- | --- | --- | --- | --- |');
for (const [name, options] of Object.entries(detectors))
  for (const [label, img] of photos) {
    const rgb = new Float32Array(img.width * img.height * 3).map((_, i) => img.data[Math.floor(i / 3) * 4 + (i % 3)]);
    const x = api.tf.tensor3d(rgb, [img.height, img.width, 3], 'float32');
    const t = performance.now();
    const found = await api.detectAllFaces(x, options);
    const ms = performance.now() - t;
    x.dispose();
    const boxes = found.map((d) => `[${[d.box.x, d.box.y, d.box.width, d.box.height].map(Math.round).join(', ')}] (${d.score.toFixed(2)})`);
    console.log(`| ${name} | ${label} | ${found.length} | ${boxes.join('; ') || '—'} | ${ms.toFixed(0)} |`);
  }
