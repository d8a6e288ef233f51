// The live-set peak of a graph, on graphs small enough to count by hand, and on the full-size SD 1.5 UNet.
import { describe, expect, it } from 'vitest';
import { add, createGraph, lowerComposites, mul } from '../../src/engine/graph/index';
import { peakLiveBytes } from '../../src/engine/graph/liveness';
import { parseUNetConfig } from '../../src/engine/io/config';
import { Params } from '../../src/engine/models/params';
import { buildUNet } from '../../src/engine/models/unet';
import { buildUNetLoss } from '../../src/engine/sd/unet-loss';
import { SD15_UNET_CONFIG, shapeOnlySource, unetWeightShapes } from '../helpers/unet-shapes';

describe('peakLiveBytes', () => {
  it('counts a chain: the input, then at most two values at a time', () => {
    const g = createGraph('chain');
    const x = g.input('x', 'float32', [256]); // 1 KiB
    const a = add(x, x); // x dies here
    const b = mul(a, a); // a dies here
    g.output(add(b, b), 'y');
    // Each node holds its input and its output: 2 KiB at most.
    expect(peakLiveBytes(g)).toBe(2048);
  });

  it('keeps a value until its last reader, and the graph outputs to the end', () => {
    const g = createGraph('skip');
    const x = g.input('x', 'float32', [256]);
    const a = add(x, x);
    const b = mul(a, a);
    const c = mul(b, b);
    g.output(add(c, x), 'y'); // x lives to the last node
    g.output(a, 'a'); // a lives to the end
    // At c's node: x, a (output), b, c live = 4 KiB; the last node: x, a, c, y = 4 KiB.
    expect(peakLiveBytes(g)).toBe(4096);
  });

  it('leaves weights out', () => {
    const g = createGraph('w');
    const x = g.input('x', 'float32', [256]);
    const w = g.weight('w', 'float32', [256], async () => new Uint8Array(1024));
    g.output(mul(x, w), 'y');
    expect(peakLiveBytes(g)).toBe(2048);
  });

  it('SD 1.5 at 512²: the CFG step needs far less than the gradient step (lower bounds, in GiB)', () => {
    const cfg = parseUNetConfig(SD15_UNET_CONFIG);
    const src = shapeOnlySource('sd15', unetWeightShapes(cfg));
    const forward = buildUNet(cfg, new Params(createGraph('u'), src), { batch: 2, height: 64, width: 64, lora: true });
    const grad = buildUNetLoss(cfg, new Params(createGraph('l'), src), { batch: 1, height: 64, width: 64 });
    lowerComposites(forward);
    lowerComposites(grad);
    const [f, g] = [peakLiveBytes(forward) / 2 ** 30, peakLiveBytes(grad) / 2 ** 30];
    console.log(`SD 1.5 fp32 live-set peaks: CFG step ${f.toFixed(3)} GiB, gradient step ${g.toFixed(3)} GiB`);
    // Two latents of 4×64×64 are 128 KiB; one 320-channel activation at 64×64 for batch 2 is 10 MiB.
    expect(f).toBeGreaterThan(0.05);
    expect(g).toBeGreaterThan(4 * f);
    expect(g).toBeLessThan(4);
  });
});
