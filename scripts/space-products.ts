// One V_k product each way at full size (D = 99,648), plain loops vs the onnxruntime projector on
// onnxruntime-node (CPU), with a synthetic seeded V. Prints the 1-minute load average next to each timing:
// the machine is shared, so numbers move with it.
//   npx tsx scripts/space-products.ts [k ...]      (default: 1000 10000)
import { loadavg } from 'node:os';
import { createNodeSession } from '../src/engine/runtime/node';
import { allocBlocks } from '../src/engine/io/row-blocks';
import { Rng } from '../src/engine/sd/random';
import { coefGrad, coefToTheta, relativeResidual } from '../src/engine/space/math';
import { Projector } from '../src/engine/space/projector';

const D = 99648;
const ks = process.argv.slice(2).map(Number);
const load = () => loadavg()[0].toFixed(1);

async function timed<T>(f: () => T | Promise<T>): Promise<[T, string]> {
  const l = load();
  const t = performance.now();
  const r = await f();
  return [r, `${((performance.now() - t) / 1000).toFixed(3)} s (load ${l})`];
}

for (const k of ks.length ? ks : [1000, 10000]) {
  const rng = new Rng(k);
  const v = allocBlocks(D, k); // ≤ 1 GiB each: 4 blocks at k = 10000
  for (const b of v) for (let i = 0; i < b.length; i++) b[i] = rng.uniform() - 0.5;
  const std = Float32Array.from({ length: D }, () => (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + rng.uniform()));
  const mean = Float32Array.from({ length: D }, () => rng.uniform() - 0.5);
  const c = rng.normals(k);
  const g = rng.normals(D);
  const basis = { v, k, std, mean };
  console.log(`k = ${k}, D = ${D}, V_k ${((D * k * 4) / 2 ** 30).toFixed(2)} GiB in ${v.length} block(s)`);

  const [thetaLoop, tl] = await timed(() => coefToTheta(c, v, k, std, mean));
  console.log(`  loops        θ from c:   ${tl}`);
  const [gradLoop, gl] = await timed(() => coefGrad(g, v, k, std));
  console.log(`  loops        ∂L/∂c:      ${gl}`);

  // One direction at a time, each session with its own copy of V_k, released before the next.
  const p = Projector.create({ createSession: createNodeSession }, basis);
  const [t0, tc] = await timed(() => p.theta(c));
  const [t1, tr] = await timed(() => p.theta(c));
  console.log(`  onnxruntime  θ from c:   ${tr}; first call with its session created ${tc}; residual ${relativeResidual(thetaLoop, t1).toExponential(1)}`);
  if (relativeResidual(t0, t1) !== 0) throw new Error('θ differs between two runs');
  await p.release();
  const q = Projector.create({ createSession: createNodeSession }, basis);
  const [, gc] = await timed(() => q.gradCoef(g));
  const [g1, gr] = await timed(() => q.gradCoef(g));
  console.log(`  onnxruntime  ∂L/∂c:      ${gr}; first call with session(s) created ${gc}; residual ${relativeResidual(gradLoop, g1).toExponential(1)}`);
  await q.release();
}
