// One copy of each weight for every session of a model: the weight inputs (weight-inputs.ts) of a run are
// placed the first time a run needs them and kept until the store is released. Subclasses say where the
// copy lives and how a batch of weights gets there.
import type { OrtTensor, WeightBinder } from './session';
import type { WeightSpec } from './weight-inputs';

export interface HeldWeight {
  readonly tensor: OrtTensor;
  /** Bytes it occupies where it lives. */
  readonly bytes: number;
  dispose(): void;
}

const keyOf = (w: WeightSpec) => `${w.source}\u0000${w.name}\u0000${w.dtype}`;

export abstract class WeightStore implements WeightBinder {
  private readonly held = new Map<string, { source: string; weight: Promise<HeldWeight> }>();
  /** A session's weight list, resolved once: every later run (each denoising step) reuses the tensors. */
  private bound = new WeakMap<readonly WeightSpec[], Promise<OrtTensor[]>>();

  /** Places weights not held yet (one result per spec, in order); loads each spec's bytes itself. */
  protected abstract place(specs: readonly WeightSpec[]): Promise<HeldWeight[]>;

  bind(specs: readonly WeightSpec[]): Promise<OrtTensor[]> {
    let tensors = this.bound.get(specs);
    if (!tensors) {
      tensors = this.resolve(specs);
      // A failed load is not kept: the next run tries again (and names the failure again).
      tensors.catch(() => this.bound.delete(specs));
      this.bound.set(specs, tensors);
    }
    return tensors;
  }

  private resolve(specs: readonly WeightSpec[]): Promise<OrtTensor[]> {
    const keys = specs.map(keyOf);
    const missing = specs.filter((_, i) => !this.held.has(keys[i]) && keys.indexOf(keys[i]) === i);
    if (missing.length) {
      const placed = this.place(missing);
      missing.forEach((w, i) => {
        const weight = placed.then((all) => all[i]);
        // A failed load is not kept: the next run tries again (and names the failure again).
        weight.catch(() => this.held.delete(keyOf(w)));
        this.held.set(keyOf(w), { source: w.source, weight });
      });
    }
    return Promise.all(keys.map((k) => this.held.get(k)!.weight.then((x) => x.tensor)));
  }

  /** Bytes held per source file (weights placed so far). */
  async bytesBySource(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const { source, weight } of this.held.values()) {
      const w = await weight.catch(() => undefined);
      if (w) out[source] = (out[source] ?? 0) + w.bytes;
    }
    return out;
  }

  /** Frees the weights of one source; sessions that bound them must not run afterwards (others re-bind). */
  async forget(source: string): Promise<void> {
    const gone = [...this.held].filter(([, h]) => h.source === source);
    for (const [key] of gone) this.held.delete(key);
    this.bound = new WeakMap();
    for (const [, { weight }] of gone) (await weight.catch(() => undefined))?.dispose();
  }

  /** Frees every weight; sessions that bound them must not run afterwards. */
  async release(): Promise<void> {
    const all = [...this.held.values()];
    this.held.clear();
    this.bound = new WeakMap();
    for (const { weight } of all) (await weight.catch(() => undefined))?.dispose();
    await this.releaseRest();
  }

  /** What a subclass holds besides the weights (e.g. the sessions that own them). */
  protected async releaseRest(): Promise<void> {}
}

/** Places weights one at a time, each from its own bytes (never a whole file in one buffer). */
export abstract class SingleWeightStore extends WeightStore {
  protected abstract placeOne(w: WeightSpec, bytes: Uint8Array): Promise<HeldWeight> | HeldWeight;

  protected async place(specs: readonly WeightSpec[]): Promise<HeldWeight[]> {
    const out: HeldWeight[] = [];
    for (const w of specs) out.push(await this.placeOne(w, await w.load()));
    return out;
  }
}
