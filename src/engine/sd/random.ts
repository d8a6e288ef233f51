// Seeded Gaussian noise: the same seed gives the same image in every browser and in Node.
// xoshiro128** (32-bit state ops, exact in JS) seeded through splitmix32, Box–Muller for normals.

/** A generator's full state: restoring it continues the exact same sequence (checkpoints). */
export interface RngState {
  s: number[];
  spare: number | null;
}

export class Rng {
  private s: Uint32Array;
  private spare: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = Uint32Array.of(next(), next(), next(), next());
  }

  state(): RngState {
    return { s: Array.from(this.s), spare: this.spare };
  }

  static fromState(st: RngState): Rng {
    if (st.s?.length !== 4 || !st.s.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) || (st.spare !== null && typeof st.spare !== 'number'))
      throw new Error('Rng: corrupt generator state');
    const r = new Rng(0);
    r.s = Uint32Array.from(st.s);
    r.spare = st.spare;
    return r;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in (0, 1), never 0 so log() is safe. */
  uniform(): number {
    return (this.u32() + 0.5) / 4294967296;
  }

  /** Uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const th = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  normals(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
