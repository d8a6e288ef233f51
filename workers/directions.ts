// Pullback directions in the engine worker (Park et al. 2023): image directions in x_t along a generated
// image's trajectory, edited by moving x_t and denoising on; label-free identity directions in the w2w
// coefficients, with their cosines against the space's labelled attribute directions.
import { latentDirections, timestepsAt, trajectoryPoints } from '../src/engine/pullback/directions';
import type { SubspaceResult } from '../src/engine/pullback/subspace';
import { tensorToRgba } from '../src/engine/sd/image';
import { generate, type GenerateOptions } from '../src/engine/sd/pipeline';
import type { StableDiffusion } from '../src/engine/sd/stable-diffusion';
import { identityDirections, type IdentityDirections } from './directions-job';
import type { EngineContext } from './invert';
import { encodePng } from './preview';

/** A generated image's settings, as the gallery keeps them (the engine's GenerateParams). */
export type Generation = Omit<GenerateOptions, 'onStep' | 'signal' | 'latentEdit' | 'noise'>;

export interface LatentDirectionsResult {
  timestep: number;
  /** 0-based evaluation whose input x_t moves. */
  step: number;
  values: number[];
  iterations: number;
  converged: boolean;
  /** ‖x_t‖: slider values are in units of it. */
  scale: number;
}

export interface DirectionOptions {
  n: number;
  /** Fractions of T where x_t is taken (the first one for image directions). */
  fractions: number[];
  seed?: number;
}

let latent: { gen: Generation; step: number; scale: number; vectors: Float64Array[] } | undefined;

const summary = (r: Pick<SubspaceResult, 'values' | 'iterations' | 'converged'>) => ({ values: r.values, iterations: r.iterations, converged: r.converged });

async function image(sd: StableDiffusion, o: GenerateOptions): Promise<Blob> {
  return encodePng(tensorToRgba((await generate(sd, o)).image));
}

/** The LoRA the UNet ran with at timestep t (delayed injection switches to lora2 at t ≤ switchAt). */
function loraAt(sd: StableDiffusion, gen: Generation, t: number): Float32Array {
  const second = gen.lora2 && t <= (gen.switchAt ?? -1);
  return (second ? gen.lora2 : gen.lora) ?? new Float32Array(sd.loraSize);
}

/** The discovered image directions, checked to hold direction i. */
function latentWith(i: number): NonNullable<typeof latent> {
  if (!latent) throw new Error('no image directions yet: discover them first');
  if (!Number.isInteger(i) || i < 0 || i >= latent.vectors.length) throw new Error(`direction ${i} out of range 0..${latent.vectors.length - 1}`);
  return latent;
}

export function directionsApi(ctx: EngineContext) {
  return {
    /** Top directions of ∂h/∂x_t where the image's trajectory passes t = fractions[0]·T. */
    async discoverImageDirections(gen: Generation, o: DirectionOptions): Promise<LatentDirectionsResult> {
      const sd = ctx.sd();
      const [t] = timestepsAt(o.fractions, sd.scheduler(1));
      return ctx.jobs.run('directions', async (signal) => {
        const { steps, points } = await trajectoryPoints(sd, { ...gen, signal }, [t]);
        signal.throwIfAborted();
        const r = await latentDirections(sd, points[0], loraAt(sd, gen, steps[0].timestep), { n: o.n, seed: o.seed ?? 0 });
        const x = points[0].sample.data as Float32Array;
        const scale = Math.sqrt(x.reduce((a, v) => a + v * v, 0));
        latent = { gen, step: steps[0].step, scale, vectors: r.vectors };
        return { ...summary(r), timestep: steps[0].timestep, step: steps[0].step, scale };
      });
    },

    /** The image again with x_t moved by s·‖x_t‖ along direction i before its step, denoised from there. */
    async imageEdit(i: number, s: number): Promise<Blob> {
      const { gen, step, scale, vectors } = latentWith(i);
      const delta = Float32Array.from(vectors[i], (v) => s * scale * v);
      return ctx.jobs.run('directions', (signal) => image(ctx.sd(), { ...gen, latentEdit: { step, delta }, signal }));
    },

    /**
     * Top directions of ∂h/∂c at the identity, JᵀJ summed over the prompts' trajectories at each t (the Create
     * and Directions screens alike). A new discovery replaces a running one.
     */
    async discoverIdentityDirections(
      coef: Float32Array, gen: Generation, prompts: string[], o: DirectionOptions, onIteration?: (i: number, residual: number) => void,
    ): Promise<IdentityDirections> {
      const sd = ctx.sd();
      const space = ctx.space();
      if (coef.length !== space.k) throw new Error(`directions: the identity has ${coef.length} coefficients, the space ${space.k}`);
      const { lora: _base, lora2: _second, ...rest } = gen; // the identity's own θ replaces them
      const ts = timestepsAt(o.fractions, sd.scheduler(1));
      const request = { coef, gen: rest, n: o.n, ts, prompts, seed: o.seed };
      return ctx.jobs.run('directions', (signal) => identityDirections(sd, space, request, signal, onIteration), { replace: true });
    },

    /** The identity `coef` moved by s·unit along a coefficient direction (a discovered one), and an image of it. */
    async identityEdit(coef: Float32Array, move: { vector: Float32Array; unit: number; s: number }, gen: Generation): Promise<{ coef: Float32Array; png: Blob }> {
      const space = ctx.space();
      const moved = space.withOffsets(coef, { directions: { vectors: [move.vector], unit: move.unit, offsets: [move.s] } });
      const png = await ctx.jobs.run('directions', async (signal) => image(ctx.sd(), { ...gen, lora: await space.thetaAsync(moved), lora2: null, signal }));
      return { coef: moved, png };
    },
  };
}
