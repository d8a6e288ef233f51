// The benchmark's cases, in the order they run (the Node bench's: bench/run.ts). A case is a timed call into
// the engine; the runner (run.ts) calls `warm` once untimed, then `run` once per timed run. To add a case,
// append an entry here.
import { f32, i64, type HostTensor } from '../engine/runtime/tensor';
import { generate } from '../engine/sd/pipeline';
import { Rng } from '../engine/sd/random';
import type { StableDiffusion } from '../engine/sd/stable-diffusion';
import type { Provider } from '../engine/runtime/web';
import { formatBytes } from '../engine/io/format-bytes';
import { basisBytes, type BasisStorage, type GraphBasis } from '../engine/space/basis-graph';
import { syntheticGraphBasis } from '../../bench/synthetic-basis';

export interface CaseContext {
  sd: StableDiffusion;
  provider: Provider;
  /** Image side in pixels (latents are size / the VAE factor). */
  size: number;
  steps: number;
  /** Sessions built since the case began (key → ms), as StableDiffusion reports them. */
  sessions: Map<string, number>;
}

export interface RunOutcome {
  /** Whether the outputs checked were finite. */
  finite: boolean;
  /** Replaces the measured wall time (e.g. session creation reports the build alone). */
  ms?: number;
}

export interface BenchCase {
  /** Stable key in the JSON report. */
  name: string;
  label(ctx: CaseContext): string;
  /** Untimed call that builds the sessions `run` needs and uploads weights (default: one `run`; null: none). */
  warm?: ((ctx: CaseContext) => Promise<unknown>) | null;
  /** Timed runs, when not the page's `runs` (session creation happens once). */
  runs?: number;
  run(ctx: CaseContext): Promise<RunOutcome>;
  /** Frees what the case placed (after its last run, failed or not). */
  after?(ctx: CaseContext): Promise<void>;
}

const finite = (t: HostTensor | Float32Array) => ((t instanceof Float32Array ? t : t.data) as Float32Array).every(Number.isFinite);
const latentSide = (ctx: CaseContext) => ctx.size / ctx.sd.vaeScaleFactor;
const latentLabel = (ctx: CaseContext) => `${latentSide(ctx)}×${latentSide(ctx)} latents`;
const PROMPT = 'a photo of sks person';

/** The UNet's inputs at batch b, seeded as the Node bench seeds them (bench/ort-case.ts): noise, text states, a small LoRA. */
function unetInputs(ctx: CaseContext, batch: number) {
  const { sd } = ctx;
  const side = latentSide(ctx);
  const rng = new Rng(1);
  const c = sd.unetConfig;
  return {
    sample: f32([batch, c.inChannels, side, side], rng.normals(batch * c.inChannels * side * side)),
    timestep: i64([batch], [981, 501].slice(0, batch)),
    text: f32([batch, 77, c.crossAttentionDim], rng.normals(batch * 77 * c.crossAttentionDim)),
    lora: Float32Array.from({ length: sd.loraSize }, () => (rng.uniform() - 0.5) * 0.02),
    target: f32([batch, c.outChannels, side, side], rng.normals(batch * c.outChannels * side * side)),
    mask: f32([1, 1, side, side], Float32Array.from({ length: side * side }, () => (rng.uniform() > 0.5 ? 1 : 0))),
  };
}

async function unetStep(ctx: CaseContext): Promise<HostTensor> {
  const x = unetInputs(ctx, 2);
  return ctx.sd.unet(x.sample, x.timestep, x.text, x.lora);
}

async function decodeNoise(ctx: CaseContext): Promise<HostTensor> {
  const side = latentSide(ctx);
  const n = ctx.sd.latentChannels * side * side;
  return ctx.sd.decode(f32([1, ctx.sd.latentChannels, side, side], new Rng(2).normals(n)));
}

/**
 * One inversion step at k components as the app runs it on WebGPU: the gradient graph computing θ from the
 * coefficients with V_k on the device (stored as the model's weights are), ∂L/∂c out. V_k is synthetic.
 */
function inversionStep(k: number): BenchCase {
  let basis: GraphBasis | undefined;
  const storage = (ctx: CaseContext): BasisStorage => (ctx.sd.precision.storage === 'float16' ? 'float16' : 'float32');
  return {
    name: `invert_step_k${k}`,
    label: (ctx) =>
      `inversion step, k = ${k}: θ and ∂L/∂c in the gradient graph, ${latentLabel(ctx)}, V_k ${storage(ctx)} on the device (${formatBytes(basisBytes(ctx.sd.loraSize, k, storage(ctx)))})`,
    async run(ctx) {
      // On wasm the app keeps V_k's products as JS loops (V_k would be copied into the 4 GiB wasm heap).
      if (ctx.provider !== 'webgpu') throw new Error('not run on wasm: the app runs inversion\'s basis products as JS loops there');
      basis ??= syntheticGraphBasis(ctx.sd.loraSize, k, storage(ctx), { repeat: true });
      const x = unetInputs(ctx, 1);
      const coef = new Rng(3).normals(k).map((v) => v * 0.1);
      const { loss, grad } = await ctx.sd.coefLossGrad(x.sample, x.timestep, x.text, x.target, x.mask, basis, coef);
      return { finite: Number.isFinite(loss) && finite(grad) };
    },
    async after(ctx) {
      if (basis) await ctx.sd.runtime.forget?.(basis.source);
      basis = undefined;
    },
  };
}

export const CASES: BenchCase[] = [
  {
    name: 'session',
    label: (ctx) => `session creation: UNet, batch 2, ${latentLabel(ctx)} (graph build + onnxruntime session)`,
    warm: null,
    runs: 1,
    async run(ctx) {
      const eps = await unetStep(ctx);
      const key = [...ctx.sessions.keys()].find((k) => k.startsWith('unet_b2_'));
      if (!key) throw new Error('no UNet session was built in this case: session creation must be the first case to use the UNet');
      return { finite: finite(eps), ms: ctx.sessions.get(key)! };
    },
  },
  {
    name: 'unet_step_b2',
    label: (ctx) => `UNet step, batch 2, ${latentLabel(ctx)} (one CFG step)`,
    run: async (ctx) => ({ finite: finite(await unetStep(ctx)) }),
  },
  {
    name: 'generation',
    label: (ctx) => `generation: ${ctx.steps} PNDM step${ctx.steps === 1 ? '' : 's'}, ${ctx.size}×${ctx.size} px (CLIP, UNet, VAE decode)`,
    // The CLIP and VAE decoder sessions (the UNet's exists already), not a whole generation. One after the
    // other: onnxruntime-web's WebGPU sessions must not run concurrently (the app runs one job at a time).
    async warm(ctx) {
      await ctx.sd.encodePrompts(['', PROMPT]);
      await decodeNoise(ctx);
    },
    async run(ctx) {
      const { image } = await generate(ctx.sd, { prompt: PROMPT, seed: 0, steps: ctx.steps, scheduler: 'pndm', width: ctx.size, height: ctx.size });
      return { finite: finite(image) };
    },
  },
  {
    name: 'vae_decode',
    label: (ctx) => `VAE decode, ${ctx.size}×${ctx.size} px`,
    run: async (ctx) => ({ finite: finite(await decodeNoise(ctx)) }),
  },
  {
    name: 'grad_step_b1',
    label: (ctx) => `gradient step, batch 1, ${latentLabel(ctx)} (inversion objective: masked loss, d loss / d LoRA)`,
    async run(ctx) {
      const x = unetInputs(ctx, 1);
      const { loss, grad } = await ctx.sd.unetLossGrad(x.sample, x.timestep, x.text, x.target, x.mask, x.lora);
      return { finite: Number.isFinite(loss) && finite(grad) };
    },
  },
  inversionStep(1000),
  inversionStep(10000),
];
