// Training timestep densities π(t) on [0, 1] with samplers, analytic densities and cdfs
// (SD3, Esser et al. 2024, §3.1): uniform, logit-normal, mode sampling with heavy tails, CosMap, Beta;
// each optionally pushed through the resolution shift (SD3 §5.3.2).

import type { Rng } from '../rng';
import { betaInc, invertMonotone, logBeta, normCdf } from './special';

export interface TimestepSampler {
  /** The spec it was parsed from (without the shift). */
  spec: string;
  /** The resolution shift applied on top of `spec` (1 = none). */
  shift: number;
  sample(rng: Rng, n: number): Float32Array;
  /** The analytic density π(t) (a push-forward density where t is a transformed variable). */
  density(t: number): number;
  cdf(t: number): number;
}

export const TIMESTEP_FORMS = 'uniform | logit-normal:M,S | mode:S | cosmap | beta:A,B';
export const MODE_SCALE_MAX = 2 / (Math.PI - 2); // f_mode is monotone for −1 ≤ s ≤ 2/(π − 2) (SD3 §3.1)

const fail = (msg: string): never => {
  throw new Error(`timesteps: ${msg}`);
};

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function parseArgs(spec: string, name: string, args: string | undefined, count: number, form: string): number[] {
  const parts = args === undefined ? [] : args.split(',').map((s) => s.trim());
  if (parts.length !== count || parts.some((p) => !NUMBER.test(p))) {
    fail(`${name} takes ${count === 0 ? 'no parameters' : `${count} number${count > 1 ? 's' : ''}`} (${form}), got ${JSON.stringify(spec)}`);
  }
  return parts.map(Number);
}

const clamp01 = (t: number) => Math.min(1, Math.max(0, t));

/** n independent draws as float32. */
const draws = (n: number, draw: () => number) => Float32Array.from({ length: n }, draw);

/** Uniform on [0, 1]. */
function uniform(spec: string): TimestepSampler {
  return {
    spec,
    shift: 1,
    sample: (rng, n) => rng.uniforms(n),
    density: (t) => (t >= 0 && t <= 1 ? 1 : 0),
    cdf: clamp01,
  };
}

/** Logit-normal (SD3 §3.1): t = sigmoid(u), u ~ N(m, s²); π(t) = φ((logit t − m)/s) / (s·t·(1 − t)). */
function logitNormal(spec: string, m: number, s: number): TimestepSampler {
  return {
    spec,
    shift: 1,
    sample: (rng, n) => {
      const z = rng.normals(n);
      for (let i = 0; i < n; i++) z[i] = 1 / (1 + Math.exp(-(m + s * z[i])));
      return z;
    },
    density: (t) => {
      if (!(t > 0 && t < 1)) return 0;
      const u = (Math.log(t) - Math.log1p(-t) - m) / s;
      return Math.exp(-0.5 * u * u) / (Math.sqrt(2 * Math.PI) * s * t * (1 - t));
    },
    cdf: (t) => (t <= 0 ? 0 : t >= 1 ? 1 : normCdf((Math.log(t) - Math.log1p(-t) - m) / s)),
  };
}

/**
 * Mode sampling with heavy tails (SD3 eq. 20–21): t = f(u; s) = 1 − u − s·(cos²(πu/2) − 1 + u), u ~ U(0, 1),
 * a decreasing bijection of [0, 1] for −1 ≤ s ≤ 2/(π − 2); π(t) = |d f⁻¹/dt| = 1 / |f'(f⁻¹(t))| with
 * f'(u) = −1 − s + (sπ/2)·sin(πu). f⁻¹ by safeguarded Newton; cdf(t) = 1 − f⁻¹(t).
 */
export function modeMap(s: number) {
  // cos²(πu/2) − 1 = −sin²(πu/2): no cancellation near u = 0.
  const f = (u: number) => 1 - u - s * (u - Math.sin((Math.PI * u) / 2) ** 2);
  const df = (u: number) => -1 - s + ((s * Math.PI) / 2) * Math.sin(Math.PI * u);
  const inv = (t: number) => (t <= 0 ? 1 : t >= 1 ? 0 : invertMonotone(f, df, t, 0, 1, 1 - t));
  return { f, df, inv };
}

function mode(spec: string, s: number): TimestepSampler {
  const { f, df, inv } = modeMap(s);
  return {
    spec,
    shift: 1,
    sample: (rng, n) => draws(n, () => f(rng.uniform())),
    density: (t) => (t >= 0 && t <= 1 ? 1 / Math.abs(df(inv(t))) : 0),
    cdf: (t) => 1 - inv(clamp01(t)),
  };
}

/**
 * CosMap (SD3 §3.1): t = 1 − 1/(tan(πu/2) + 1), u ~ U(0, 1), matching rf's log-SNR to the cosine path's;
 * π(t) = 2 / (π − 2πt + 2πt²), cdf(t) = (2/π)·atan(t/(1 − t)).
 */
function cosmap(spec: string): TimestepSampler {
  return {
    spec,
    shift: 1,
    sample: (rng, n) =>
      draws(n, () => {
        const a = (Math.PI / 2) * rng.uniform();
        return Math.sin(a) / (Math.sin(a) + Math.cos(a)); // = tan/(tan + 1), finite at u → 1
      }),
    density: (t) => (t >= 0 && t <= 1 ? 2 / (Math.PI - 2 * Math.PI * t + 2 * Math.PI * t * t) : 0),
    cdf: (t) => (2 / Math.PI) * Math.atan2(clamp01(t), 1 - clamp01(t)),
  };
}

// Marsaglia & Tsang (2000) gamma variate, returned as its logarithm so that tiny shapes cannot underflow.
function logGammaVariate(rng: Rng, k: number): number {
  if (k < 1) return logGammaVariate(rng, k + 1) + Math.log(rng.uniform()) / k; // G(k) = G(k+1)·U^(1/k)
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return Math.log(d * v);
  }
}

/** Beta(a, b): t = X/(X + Y) with X ~ Γ(a), Y ~ Γ(b); π(t) = t^(a−1)(1 − t)^(b−1)/B(a, b); cdf = I_t(a, b). */
function beta(spec: string, a: number, b: number): TimestepSampler {
  const lb = logBeta(a, b);
  const edge = (p: number) => (p < 1 ? Infinity : p === 1 ? Math.exp(-lb) : 0); // density at t = 0 (p = a) or 1 (p = b)
  return {
    spec,
    shift: 1,
    sample: (rng, n) =>
      draws(n, () => {
        const lx = logGammaVariate(rng, a);
        return 1 / (1 + Math.exp(logGammaVariate(rng, b) - lx));
      }),
    density: (t) => {
      if (t < 0 || t > 1) return 0;
      if (t === 0) return edge(a);
      if (t === 1) return edge(b);
      return Math.exp((a - 1) * Math.log(t) + (b - 1) * Math.log1p(-t) - lb);
    },
    cdf: (t) => betaInc(t, a, b),
  };
}

/** Parses a timestep spec; errors name the field `timesteps` and the accepted forms. */
export function parseTimesteps(spec: string): TimestepSampler {
  if (typeof spec !== 'string') fail(`expected a string (${TIMESTEP_FORMS}), got ${String(spec)}`);
  const s = spec.trim();
  const colon = s.indexOf(':');
  const name = colon < 0 ? s : s.slice(0, colon);
  const args = colon < 0 ? undefined : s.slice(colon + 1);
  switch (name) {
    case 'uniform':
      parseArgs(spec, name, args, 0, 'uniform');
      return uniform(s);
    case 'logit-normal': {
      const [m, sd] = parseArgs(spec, name, args, 2, 'logit-normal:M,S');
      if (!(sd > 0)) fail(`logit-normal scale S must be > 0, got ${sd}`);
      return logitNormal(s, m, sd);
    }
    case 'mode': {
      const [sc] = parseArgs(spec, name, args, 1, 'mode:S');
      if (!(sc >= -1 && sc <= MODE_SCALE_MAX)) fail(`mode scale S must lie in [-1, ${MODE_SCALE_MAX.toFixed(4)}] (2/(π−2)), got ${sc}`);
      return mode(s, sc);
    }
    case 'cosmap':
      parseArgs(spec, name, args, 0, 'cosmap');
      return cosmap(s);
    case 'beta': {
      const [a, b] = parseArgs(spec, name, args, 2, 'beta:A,B');
      if (!(a > 0 && b > 0)) fail(`beta parameters A and B must be > 0, got ${a}, ${b}`);
      return beta(s, a, b);
    }
    default:
      return fail(`expected one of ${TIMESTEP_FORMS}, got ${JSON.stringify(spec)}`);
  }
}

/** The resolution shift t' = a·t / (1 + (a − 1)·t) (SD3 §5.3.2); a > 1 moves mass towards noise. */
export function shiftTime(t: number, a: number): number {
  return (a * t) / (1 + (a - 1) * t);
}

/** Its inverse t = t' / (a − (a − 1)·t'). */
export function unshiftTime(t: number, a: number): number {
  return t / (a - (a - 1) * t);
}

export function checkShift(shift: number): void {
  if (typeof shift !== 'number' || !Number.isFinite(shift) || !(shift > 0)) {
    throw new Error(`shift: expected a finite number > 0 (1 = no shift), got ${String(shift)}`);
  }
}

/**
 * Pushes a sampler through t' = a·t/(1 + (a − 1)·t). Density by change of variables:
 * π'(t') = π(g⁻¹(t'))·a/(a − (a − 1)·t')², cdf'(t') = cdf(g⁻¹(t')). shift = 1 returns the sampler itself;
 * shifts compose multiplicatively (g_a ∘ g_b = g_ab).
 */
export function shiftSampler(s: TimestepSampler, shift: number): TimestepSampler {
  checkShift(shift);
  if (shift === 1) return s;
  const a = shift;
  return {
    spec: s.spec,
    shift: s.shift * a,
    sample: (rng, n) => {
      const t = s.sample(rng, n);
      for (let i = 0; i < n; i++) t[i] = shiftTime(t[i], a);
      return t;
    },
    density: (t) => {
      if (t < 0 || t > 1) return 0;
      const den = a - (a - 1) * t;
      return s.density(unshiftTime(t, a)) * (a / (den * den));
    },
    cdf: (t) => s.cdf(unshiftTime(clamp01(t), a)),
  };
}

/**
 * SD3's resolution-dependent shift (Esser et al. 2024, §5.3.2): a = √(m/n) for m tokens (or pixels) at the
 * target resolution and n at the base one. SD3's base is 256² pixels = 16² = 256 latent tokens (f8 VAE,
 * patch 2); at 1024² the formula gives 4, where SD3 found 3.0 best by human preference.
 */
export function resolutionShift(tokens: number, baseTokens = 256): number {
  if (!(tokens > 0) || !(baseTokens > 0)) throw new Error(`shift: token counts must be > 0, got ${tokens} and base ${baseTokens}`);
  return Math.sqrt(tokens / baseTokens);
}
