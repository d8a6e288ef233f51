// One Stable Diffusion 1.5 model folder on one runtime: configs, tokenizer, lazily opened weight files
// and a cache of sessions keyed by what their static shapes depend on. The runtime is injected, so the
// same code runs on onnxruntime-node (CLI, tests, bench) and onnxruntime-web (workers).
import type { Graph } from '../graph/ir';
import { createGraph } from '../graph/ops/index';
import { parseClipTextConfig, parseSchedulerConfig, parseUNetConfig, parseVaeConfig } from '../io/config';
import type { ClipTextConfig, UNetConfig, VaeConfig } from '../io/config';
import type { ModelFolder } from '../io/model-folder';
import { openSafetensors, type SafetensorsFile } from '../io/safetensors';
import { buildClipText } from '../models/clip';
import { loraLayout, type LoraLayout } from '../models/lora';
import { FP32, Params, type Precision } from '../models/params';
import { buildUNet } from '../models/unet';
import { buildVaeDecoder, buildVaeEncoder, vaeScaleFactor } from '../models/vae';
import { buildPullback, type PullbackProduct, type PullbackWrt } from '../pullback/graph';
import type { EngineSession } from '../runtime/session';
import { f32, i64, type HostTensor } from '../runtime/tensor';
import { createScheduler, parseSchedulerName, type RawSchedulerConfig, type Scheduler } from '../schedulers/index';
import { ClipTokenizer } from '../text/tokenizer';
import { basisKey, type GraphBasis } from '../space/basis-graph';
import { buildUNetLoss } from './unet-loss';
import { weightPath, type Component } from './weight-files';

export interface Runtime {
  createSession(graph: Graph): Promise<EngineSession>;
  /** Called once the model's sessions are released (frees what the runtime holds for it, e.g. shared weights). */
  release?(): Promise<void>;
  /** Frees the shared weights of one source (a space's V_k when its projector is released). */
  forget?(source: string): Promise<void>;
}

export interface LoadOptions {
  precision?: Precision;
  /** Weight file variant, e.g. "fp16" reads unet/diffusion_pytorch_model.fp16.safetensors. */
  variant?: string;
  /**
   * Sessions kept beyond their run, least recently used released first (default: all). With weights held
   * outside the sessions (runtime/weight-store.ts) a session costs little to rebuild but keeps its
   * activation buffers while it lives.
   */
  maxSessions?: number;
  /** Told when a session starts and finishes building (minutes for the full model on a slow adapter). */
  onSession?: (e: SessionEvent) => void;
}

export interface SessionEvent {
  /** e.g. "unet_loss_b1_64x64": graph, batch and latent size. */
  key: string;
  building: boolean;
  /** Build time, once built. */
  ms?: number;
}

interface CachedSession {
  readonly session: Promise<EngineSession>;
  /** Runs in flight: a session is released only when none is. */
  active: number;
  lastUsed: number;
}

export class StableDiffusion {
  private readonly sessions = new Map<string, CachedSession>();
  private clock = 0;
  private readonly files = new Map<string, Promise<SafetensorsFile>>();
  readonly lora: LoraLayout;

  private constructor(
    readonly folder: ModelFolder,
    readonly runtime: Runtime,
    readonly unetConfig: UNetConfig,
    readonly vaeConfig: VaeConfig,
    readonly clipConfig: ClipTextConfig,
    readonly schedulerConfig: RawSchedulerConfig,
    readonly tokenizer: ClipTokenizer,
    private readonly opts: LoadOptions,
  ) {
    this.lora = loraLayout(unetConfig);
  }

  /** Reads configs and the tokenizer (small files); weights are opened when a session first needs them. */
  static async load(folder: ModelFolder, runtime: Runtime, opts: LoadOptions = {}): Promise<StableDiffusion> {
    const read = await Promise.allSettled([
      folder.json('unet/config.json'),
      folder.json('vae/config.json'),
      folder.json('text_encoder/config.json'),
      folder.json('scheduler/scheduler_config.json'),
      folder.json('tokenizer/vocab.json'),
      folder.text('tokenizer/merges.txt'),
    ]);
    // The first failure in this order, not whichever read happened to fail first.
    const failed = read.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // Parsed JSON: the config parsers below validate it.
    const [unet, vae, clip, sched, vocab, merges] = read.map((r) => (r as PromiseFulfilledResult<any>).value);
    parseSchedulerConfig(sched);
    return new StableDiffusion(
      folder, runtime, parseUNetConfig(unet), parseVaeConfig(vae), parseClipTextConfig(clip), sched,
      new ClipTokenizer(vocab, merges), opts,
    );
  }

  get precision(): Precision {
    return this.opts.precision ?? FP32;
  }
  get loraSize(): number {
    return this.lora.size;
  }
  get vaeScaleFactor(): number {
    return vaeScaleFactor(this.vaeConfig);
  }
  get latentChannels(): number {
    return this.vaeConfig.latentChannels;
  }
  get scalingFactor(): number {
    return this.vaeConfig.scalingFactor;
  }
  /** Image sides must be multiples of this: the VAE factor × the UNet's downsampling (64 for SD 1.5). */
  get sizeMultiple(): number {
    return this.vaeScaleFactor * 2 ** (this.unetConfig.blockOutChannels.length - 1);
  }
  /** Pixels: the UNet's sample_size × the VAE factor (512 for SD 1.5). */
  get defaultImageSize(): number {
    return (this.unetConfig.sampleSize ?? 64) * this.vaeScaleFactor;
  }

  scheduler(steps: number, name?: string): Scheduler {
    return createScheduler(this.schedulerConfig, steps, name ? parseSchedulerName(name) : undefined);
  }

  /** A component's weight file, opened (header only: tensors are read when a session needs them). */
  weightFile(which: Component): Promise<SafetensorsFile> {
    let f = this.files.get(which);
    if (!f) {
      f = this.folder.source(weightPath(which, this.opts.variant)).then(openSafetensors);
      f.catch(() => this.files.delete(which));
      this.files.set(which, f);
    }
    return f;
  }

  /** Runs the session `key` (built on first use) on `feeds`; then trims the cache to maxSessions. */
  private async run(
    key: string, which: Component, build: (p: Params) => Graph, feeds: Record<string, HostTensor>,
  ): Promise<Record<string, HostTensor>> {
    let c = this.sessions.get(key);
    if (!c) {
      const t0 = performance.now();
      this.opts.onSession?.({ key, building: true });
      const session = this.weightFile(which).then((file) => this.runtime.createSession(build(new Params(createGraph(key), file, this.precision))));
      session.then(() => this.opts.onSession?.({ key, building: false, ms: Math.round(performance.now() - t0) }), () => this.opts.onSession?.({ key, building: false }));
      session.catch(() => this.sessions.delete(key));
      this.sessions.set(key, (c = { session, active: 0, lastUsed: 0 }));
    }
    c.active++;
    c.lastUsed = ++this.clock;
    try {
      return await (await c.session).run(feeds);
    } finally {
      c.active--;
      await this.trim();
    }
  }

  /** Releases the least recently used idle sessions beyond maxSessions. */
  private async trim(): Promise<void> {
    const max = this.opts.maxSessions ?? Infinity;
    const idle = [...this.sessions].filter(([, c]) => c.active === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    const drop = idle.slice(0, Math.max(0, this.sessions.size - max));
    for (const [key] of drop) this.sessions.delete(key);
    await Promise.all(drop.map(async ([, c]) => (await c.session.catch(() => undefined))?.release()));
  }

  /** Keys of the sessions held now (for tests and memory reports). */
  get sessionKeys(): string[] {
    return [...this.sessions.keys()];
  }

  tokenize(prompts: readonly string[]): HostTensor {
    const ids = this.tokenizer.encodeBatch(prompts);
    return i64([prompts.length, ids[0].length], ids.flat());
  }

  /** CLIP last hidden state for each prompt, [N, 77, hidden]. */
  async encodeIds(ids: HostTensor): Promise<HostTensor> {
    const b = ids.shape[0];
    const out = await this.run(`clip_b${b}`, 'text', (p) => buildClipText(this.clipConfig, p, { batch: b }), { input_ids: ids });
    return out.last_hidden_state;
  }

  encodePrompts(prompts: readonly string[]): Promise<HostTensor> {
    return this.encodeIds(this.tokenize(prompts));
  }

  /** ε̂ for a batch of latents; `lora` is the flat w2w vector (zeros = the base model). */
  async unet(sample: HostTensor, timestep: HostTensor, text: HostTensor, lora: Float32Array): Promise<HostTensor> {
    const [b, , h, w] = sample.shape;
    const out = await this.run(
      `unet_b${b}_${h}x${w}`, 'unet', (p) => buildUNet(this.unetConfig, p, { batch: b, height: h, width: w, lora: true }),
      { sample, timestep, encoder_hidden_states: text, lora: f32([lora.length], lora) },
    );
    return out.eps;
  }

  /**
   * The inversion objective and its gradient: loss = mean((mask·ε̂ − mask·target)²) over all elements,
   * d loss / d lora. `mask` is [1, 1, h, w] (binary), broadcast over batch and channels.
   */
  async unetLossGrad(
    sample: HostTensor, timestep: HostTensor, text: HostTensor, target: HostTensor, mask: HostTensor, lora: Float32Array,
  ): Promise<{ loss: number; grad: Float32Array }> {
    const out = await this.loss({ sample, timestep, encoder_hidden_states: text, target, mask, lora: f32([lora.length], lora) });
    return { loss: (out.loss.data as Float32Array)[0], grad: out.grad_lora.data as Float32Array };
  }

  /**
   * The same objective with θ computed in the graph from the space's coefficients (space/basis-graph.ts),
   * and its gradient d loss / d coef: θ and d loss / d θ stay where the session runs (the GPU on WebGPU).
   */
  async coefLossGrad(
    sample: HostTensor, timestep: HostTensor, text: HostTensor, target: HostTensor, mask: HostTensor, basis: GraphBasis, coef: Float32Array,
  ): Promise<{ loss: number; grad: Float32Array }> {
    if (coef.length !== basis.k) throw new Error(`coefLossGrad: ${coef.length} coefficients for a basis of ${basis.k} components`);
    const out = await this.loss({ sample, timestep, encoder_hidden_states: text, target, mask, coef: f32([coef.length], coef) }, basis);
    return { loss: (out.loss.data as Float32Array)[0], grad: out.grad_coef.data as Float32Array };
  }

  private loss(feeds: Record<string, HostTensor>, basis?: GraphBasis): Promise<Record<string, HostTensor>> {
    const [b, , h, w] = feeds.sample.shape;
    const key = `unet_loss_b${b}_${h}x${w}${basis ? `_space${basisKey(basis)}` : ''}`;
    return this.run(key, 'unet', (p) => buildUNetLoss(this.unetConfig, p, { batch: b, height: h, width: w }, basis), feeds);
  }

  /**
   * h (output `mid`, the UNet mid-block output) and the Jacobian products `products` of h w.r.t. `wrt`
   * (see pullback/graph.ts). Feeds: the UNet's inputs with `lora`, plus `tangent` / `cotangent` as needed.
   */
  async pullback(
    wrt: PullbackWrt, products: readonly PullbackProduct[], feeds: Record<string, HostTensor>,
  ): Promise<Record<string, HostTensor>> {
    if (!feeds.sample) throw new Error('pullback: missing input sample');
    const [b, , h, w] = feeds.sample.shape;
    const key = `pullback_${wrt}_${products.join('_')}_b${b}_${h}x${w}`;
    return this.run(key, 'unet', (p) => buildPullback(this.unetConfig, p, { batch: b, height: h, width: w, wrt, products }), feeds);
  }

  /** VAE posterior of images in [−1, 1]: mean and clamped log-variance (unscaled latents). */
  async encodeImage(image: HostTensor): Promise<{ mean: HostTensor; logvar: HostTensor }> {
    const [b, , h, w] = image.shape;
    const out = await this.run(
      `vae_enc_b${b}_${h}x${w}`, 'vae', (p) => buildVaeEncoder(this.vaeConfig, p, { batch: b, height: h, width: w }), { image },
    );
    return { mean: out.latent_mean, logvar: out.latent_logvar };
  }

  /** VAE decoder on latents already divided by the scaling factor; images in about [−1, 1]. */
  async decode(latent: HostTensor): Promise<HostTensor> {
    const [b, , h, w] = latent.shape;
    const f = this.vaeScaleFactor;
    const out = await this.run(
      `vae_dec_b${b}_${h}x${w}`, 'vae', (p) => buildVaeDecoder(this.vaeConfig, p, { batch: b, height: h * f, width: w * f }), { latent },
    );
    return out.image;
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (c) => (await c.session.catch(() => undefined))?.release()));
    await this.runtime.release?.();
  }
}
