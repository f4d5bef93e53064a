// Time grids for the samplers: decreasing from tMax (default 1, noise) to tMin (default 0, data).

import { getPath, type Path } from './paths';
import { checkShift, shiftTime } from './timesteps';

export type GridKind = 'uniform' | 'shifted' | 'karras';
export const GRID_KINDS: readonly GridKind[] = ['uniform', 'shifted', 'karras'];

export interface GridOptions {
  tMax?: number; // first time (default 1)
  tMin?: number; // last time (default 0)
  shift?: number; // 'shifted': the SD3 shift a (default 3, SD3 §5.3.2)
  path?: Path; // 'karras': maps the noise level σ/α back to t (default rf)
  rho?: number; // 'karras': ρ (default 7)
  sigmaMin?: number; // 'karras': smallest non-zero σ/α (default 0.002)
  sigmaMax?: number; // 'karras': largest σ/α (default 80)
}

export const KARRAS_DEFAULTS = { rho: 7, sigmaMin: 0.002, sigmaMax: 80 } as const;
export const DEFAULT_GRID_SHIFT = 3;

/**
 * steps + 1 times from tMax down to tMin, in float64:
 * - uniform: equal steps in t;
 * - shifted: a uniform grid pushed through t' = a·t/(1 + (a − 1)·t), so more steps are spent near noise;
 * - karras: Karras et al. 2022 eq. 5, ρ-spaced in the noise level σ̃ = σ/α = e^(−λ/2) from
 *   min(σ_max, σ̃(tMax)) to σ_min, then tMin (σ̃ = 0); where σ̃(tMax) > σ_max (rf and cosine at t = 1) the
 *   first point is moved up to tMax itself, so sampling still starts from pure noise;
 * - a custom list: used as given (strictly decreasing, inside [0, 1]); `steps` is ignored.
 */
export function timeGrid64(kind: GridKind | ArrayLike<number>, steps: number, opts: GridOptions = {}): Float64Array {
  if (typeof kind !== 'string') {
    const g = Float64Array.from(kind as ArrayLike<number>);
    if (g.length < 2) throw new Error(`grid: a custom grid needs at least 2 times, got ${g.length}`);
    for (let i = 0; i < g.length; i++) {
      if (!(g[i] >= 0 && g[i] <= 1)) throw new Error(`grid: custom times must lie in [0, 1], got ${g[i]} at [${i}]`);
      if (i > 0 && !(g[i] < g[i - 1])) throw new Error(`grid: custom times must decrease strictly (from noise to data), got ${g[i - 1]} then ${g[i]}`);
    }
    return g;
  }
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps: expected an integer ≥ 1, got ${steps}`);
  const tMax = opts.tMax ?? 1;
  const tMin = opts.tMin ?? 0;
  if (!(tMin >= 0 && tMax <= 1 && tMin < tMax)) throw new Error(`grid: need 0 ≤ tMin < tMax ≤ 1, got tMin ${tMin}, tMax ${tMax}`);
  const g = new Float64Array(steps + 1);
  if (kind === 'uniform') {
    for (let i = 0; i < steps; i++) g[i] = tMax - ((tMax - tMin) * i) / steps;
    g[steps] = tMin; // exactly, not tMax − (tMax − tMin)
  } else if (kind === 'shifted') {
    const a = opts.shift ?? DEFAULT_GRID_SHIFT;
    checkShift(a);
    for (let i = 0; i < steps; i++) g[i] = tMin + (tMax - tMin) * shiftTime(1 - i / steps, a);
    g[steps] = tMin;
  } else if (kind === 'karras') {
    const path = opts.path ?? getPath('rf');
    const rho = opts.rho ?? KARRAS_DEFAULTS.rho;
    if (!(rho > 0)) throw new Error(`grid: karras ρ must be > 0, got ${rho}`);
    const noise = (t: number) => Math.exp(-path.logSnr(t) / 2); // σ/α
    const sMax = Math.min(opts.sigmaMax ?? KARRAS_DEFAULTS.sigmaMax, noise(tMax));
    const toZero = tMin === 0 || noise(tMin) === 0;
    const sMin = toZero ? (opts.sigmaMin ?? KARRAS_DEFAULTS.sigmaMin) : noise(tMin);
    if (!(sMin > 0 && sMin < sMax)) throw new Error(`grid: karras needs 0 < σ_min < σ_max, got ${sMin} and ${sMax}`);
    const n = toZero ? steps : steps + 1; // ρ-spaced points (the last one is then followed by tMin)
    const a = sMax ** (1 / rho);
    const b = sMin ** (1 / rho);
    for (let i = 0; i < n; i++) {
      const s = n === 1 ? sMax : (a + (i / (n - 1)) * (b - a)) ** rho;
      g[i] = path.tOfLogSnr(-2 * Math.log(s));
    }
    g[0] = tMax;
    g[steps] = tMin;
    for (let i = 1; i <= steps; i++) {
      if (!(g[i] < g[i - 1])) throw new Error(`grid: karras times collapse at step ${i} (${g[i - 1]} → ${g[i]}); use fewer steps or a wider σ range`);
    }
  } else {
    throw new Error(`grid: expected one of ${GRID_KINDS.join(' | ')} or a list of times, got ${JSON.stringify(kind)}`);
  }
  return g;
}

/** timeGrid64 rounded to float32 (what a UI plots). */
export function timeGrid(kind: GridKind | ArrayLike<number>, steps: number, opts?: GridOptions): Float32Array {
  return Float32Array.from(timeGrid64(kind, steps, opts));
}
