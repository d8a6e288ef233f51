// `directions`: unsupervised editing directions from the pullback metric (Park et al. 2023), in x_t and,
// with --space, in w2w coefficient space, written under the fixture's pullback.* key names.
import { writeFile } from 'node:fs/promises';
import { openSafetensors, writeSafetensors, type SafetensorsFile, type TensorToWrite } from '../engine/io/safetensors';
import { openPath } from '../engine/io/source-node';
import { closestLabels } from '../engine/pullback/closest-labels';
import { coefficientDirections, cosineTable, EDIT_FRACTION, IDENTITY_DIMS, latentDirections, timestepsAt, trajectoryPoints } from '../engine/pullback/directions';
import type { PullbackPoint } from '../engine/pullback/jacobian';
import type { SubspaceOptions, SubspaceResult } from '../engine/pullback/subspace';
import { f32 } from '../engine/runtime/tensor';
import type { StableDiffusion } from '../engine/sd/stable-diffusion';
import type { Space } from '../engine/space/space';
import { list, num, parseFlags, str, type Flags } from './args';
import { GENERATION_FLAGS, generationSettings } from './generation-flags';
import { MODEL_FLAGS, openModelFromFlags } from './node-model';
import { openSpace, readIdentity } from './space-common';

const FLAGS = [
  ...GENERATION_FLAGS, ...MODEL_FLAGS, 'space', 'k', 'pcs', 'dims', 'identity', 'inputs', 't', 'n', 'out', 'iterations', 'tol', 'oversample',
];

const vectors = (r: SubspaceResult, shape: readonly number[]): TensorToWrite => {
  const each = r.vectors[0].length;
  const data = new Float32Array(r.vectors.length * each);
  r.vectors.forEach((v, i) => data.set(v, i * each));
  return { dtype: 'F32', shape: [r.vectors.length, ...shape], data };
};
const values = (r: SubspaceResult): TensorToWrite => ({ dtype: 'F32', shape: [r.values.length], data: Float32Array.from(r.values) });

/** Coefficients: `pullback.coef` of --inputs, else --identity, else the mean identity (c = 0). */
async function coefficients(sd: StableDiffusion, space: Space, f: Flags, inputs: SafetensorsFile | null): Promise<Float32Array> {
  if (inputs?.has('pullback.coef')) {
    const c = await inputs.readFloat32('pullback.coef');
    if (c.length !== space.k) throw new Error(`pullback.coef has ${c.length} values, the space is loaded with k = ${space.k} (use --k)`);
    return c;
  }
  if (f.identity) return (await readIdentity(space, sd.lora, str(f, 'identity'))).coef;
  return new Float32Array(space.k);
}

/** The points: the --inputs point, or x_t on each prompt's seeded trajectory at each --t. */
async function points(sd: StableDiffusion, f: Flags, inputs: SafetensorsFile | null, lora: Float32Array): Promise<PullbackPoint[]> {
  const prompts = list(f, 'prompt').length ? list(f, 'prompt') : ['sks person'];
  if (inputs) {
    for (const k of ['pullback.x_t', 'pullback.t'])
      if (!inputs.has(k)) throw new Error(`--inputs ${str(f, 'inputs')} has no ${k}`);
    const x = inputs.info('pullback.x_t');
    const t = await inputs.readInt64('pullback.t');
    const text = inputs.has('pullback.text')
      ? f32(inputs.info('pullback.text').shape, await inputs.readFloat32('pullback.text'))
      : await sd.encodePrompts([prompts[0]]);
    return [{ sample: f32(x.shape, await inputs.readFloat32('pullback.x_t')), timestep: Number(t[0]), text }];
  }
  const scheduler = sd.scheduler(1);
  const T = scheduler.alphasCumprod.length;
  const ts = list(f, 't').length ? list(f, 't').map(Number) : timestepsAt([EDIT_FRACTION], scheduler);
  for (const t of ts) if (!Number.isInteger(t) || t < 0 || t >= T) throw new Error(`--t must be an integer timestep in 0..${T - 1}, got ${t}`);
  const out: PullbackPoint[] = [];
  for (const prompt of prompts) {
    const r = await trajectoryPoints(sd, {
      ...generationSettings(f),
      prompt,
      lora,
    }, ts);
    out.push(...r.points);
  }
  return out;
}

function report(what: string, r: SubspaceResult, ms: number): void {
  const state = r.converged ? 'converged' : 'NOT converged';
  console.log(`${what}: σ = ${r.values.map((v) => v.toPrecision(6)).join(', ')} (${r.iterations} iterations, residual ${r.residual.toExponential(2)}, ${state}, ${(ms / 1000).toFixed(1)} s)`);
}

export async function directionsCommand(argv: string[]): Promise<void> {
  const f = parseFlags(argv, { known: FLAGS, repeat: ['prompt', 't'] });
  const out = str(f, 'out');
  const opts: SubspaceOptions = {
    n: num(f, 'n', 5),
    maxIterations: num(f, 'iterations', 50),
    tolerance: num(f, 'tol', 1e-4),
    oversample: f.oversample === undefined ? undefined : num(f, 'oversample'),
    seed: num(f, 'seed', 0),
  };
  if (!Number.isInteger(opts.maxIterations) || opts.maxIterations! < 1) throw new Error(`--iterations must be a positive integer, got ${opts.maxIterations}`);
  const sd = await openModelFromFlags(f);
  try {
    const inputs = f.inputs ? await openSafetensors(await openPath(str(f, 'inputs'))) : null;
    const space = f.space ? await openSpace(str(f, 'space'), sd.lora, f) : null;
    if (!space && inputs?.has('pullback.coef')) throw new Error(`--inputs has pullback.coef: pass --space to turn it into a LoRA`);
    const coef = space ? await coefficients(sd, space, f, inputs) : null;
    const lora = space && coef ? space.theta(coef) : new Float32Array(sd.loraSize);
    const pts = await points(sd, f, inputs, lora);
    const [p0] = pts;

    const tensors: Record<string, TensorToWrite> = {
      'pullback.x_t': { dtype: 'F32', shape: [...p0.sample.shape], data: p0.sample.data as Float32Array },
      'pullback.t': { dtype: 'I64', shape: [1], data: BigInt64Array.of(BigInt(p0.timestep)) },
    };
    let started = Date.now();
    const x = await latentDirections(sd, p0, lora, opts);
    report(`x_t directions at t = ${p0.timestep}`, x, Date.now() - started);
    tensors['pullback.singular_values'] = values(x);
    tensors['pullback.directions'] = vectors(x, p0.sample.shape.slice(1));
    const metadata: Record<string, string> = { timesteps: JSON.stringify(pts.map((p) => p.timestep)) };

    if (space && coef) {
      started = Date.now();
      const dims = f.dims === undefined ? undefined : num(f, 'dims');
      const c = await coefficientDirections(sd, pts, coef, space, { ...opts, dims });
      report(`coefficient directions over ${pts.length} point(s), k = ${space.k}, first ${dims ?? Math.min(space.k, IDENTITY_DIMS)} differentiated`, c, Date.now() - started);
      tensors['pullback.coef'] = { dtype: 'F32', shape: [1, coef.length], data: coef };
      tensors['pullback.coef_singular_values'] = values(c);
      tensors['pullback.coef_directions'] = vectors(c, [space.k]);
      const labelled = new Map(space.labelColumns.map((name) => [name, space.directionK(name)]));
      const { names, cosines } = cosineTable(c.vectors, labelled);
      tensors['pullback.coef_cosines'] = { dtype: 'F32', shape: [c.vectors.length, names.length], data: Float32Array.from(cosines) };
      metadata.coef_cosine_columns = JSON.stringify(names);
      closestLabels(names, cosines).forEach((row, i) =>
        console.log(`  direction ${i}: closest labelled ${row.map((x) => `${x.name} ${x.cosine.toFixed(3)}`).join(', ')}`),
      );
    }
    await writeFile(out, writeSafetensors(tensors, metadata));
    console.log(`wrote ${out}: ${Object.keys(tensors).sort().join(' ')}`);
  } finally {
    await sd.release();
  }
}
