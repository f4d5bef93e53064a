// One seeded random stream (xoshiro128**, Blackman & Vigna 2018) for data order,
// timesteps, noise and label dropout. Numbers are drawn in JavaScript, not on the
// device, so a seed gives the same draws on every backend, and the 128-bit state
// fits in a checkpoint's metadata.

export type RngState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Rng {
  private s: Uint32Array;

  constructor(seed: number | RngState) {
    this.s = new Uint32Array(4);
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new Error(`seed: expected a finite number, got ${seed}`);
      const next = splitmix32(Math.floor(seed));
      for (let i = 0; i < 4; i++) this.s[i] = next();
    } else {
      if (seed.length !== 4 || seed.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
        throw new Error('rng state: expected four unsigned 32-bit integers');
      }
      this.s.set(seed);
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1; // xoshiro's one forbidden state
  }

  /** A copy of the state, for checkpoints. */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
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

  /** Uniform in the open interval (0, 1): never exactly 0 or 1, so logs and logits are safe. */
  uniform(): number {
    return ((this.nextU32() >>> 8) + 0.5) / 16777216;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller; the second value of the pair is discarded to keep the state simple). */
  normal(): number {
    const u1 = this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** n standard normals, using both Box–Muller values. */
  normals(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(this.uniform()));
      const a = 2 * Math.PI * this.uniform();
      out[i] = r * Math.cos(a);
      if (i + 1 < n) out[i + 1] = r * Math.sin(a);
    }
    return out;
  }

  /** n uniforms in (0, 1). */
  uniforms(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform();
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }
}

/**
 * The run's randomness: one seed, split into independent streams by purpose. A comparison is fair only
 * if changing one setting leaves the rest of the randomness alone: with a single stream, a timestep
 * sampler that draws more numbers (beta's rejection sampling) would shift the data order and the noise
 * of every later step. Every stream's state goes into a checkpoint, so a resumed run continues exactly.
 */
export const STREAMS = ['init', 'data', 'dropout', 'time', 'noise'] as const;
export type StreamName = (typeof STREAMS)[number];
export type StreamStates = Record<StreamName, RngState>;

export class RunRng {
  private readonly streams: Record<StreamName, Rng>;

  constructor(seedOrStates: number | StreamStates) {
    const streams = {} as Record<StreamName, Rng>;
    if (typeof seedOrStates === 'number') {
      const base = new Rng(seedOrStates);
      for (const name of STREAMS) streams[name] = new Rng([base.nextU32(), base.nextU32(), base.nextU32(), base.nextU32()]);
    } else {
      for (const name of STREAMS) {
        const s = seedOrStates[name];
        if (!s) throw new Error(`rng state: stream ${name} is missing`);
        streams[name] = new Rng(s);
      }
    }
    this.streams = streams;
  }

  get(name: StreamName): Rng {
    return this.streams[name];
  }

  state(): StreamStates {
    const out = {} as StreamStates;
    for (const name of STREAMS) out[name] = this.streams[name].state();
    return out;
  }
}
