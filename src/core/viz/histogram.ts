// Histograms as densities, so a histogram of drawn timesteps overlays the analytic π(t) on one axis.

/** Counts of `values` in `bins` equal bins over [lo, hi] (hi falls in the last bin; values outside are skipped). */
export function histogram(values: ArrayLike<number>, bins: number, lo = 0, hi = 1, into?: Uint32Array): Uint32Array {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins: expected an integer ≥ 1, got ${bins}`);
  if (!(hi > lo)) throw new Error(`histogram: need lo < hi, got ${lo} and ${hi}`);
  const counts = into ?? new Uint32Array(bins);
  if (counts.length !== bins) throw new Error(`histogram: expected ${bins} counts to add into, got ${counts.length}`);
  const w = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
  }
  return counts;
}

/** Counts → density (each bin's share divided by its width), so Σ density·width = 1. All zeros when empty. */
export function countsToDensity(counts: ArrayLike<number>, lo = 0, hi = 1): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const w = (hi - lo) / counts.length;
  const out = new Float64Array(counts.length);
  if (total === 0) return out;
  for (let i = 0; i < counts.length; i++) out[i] = counts[i] / (total * w);
  return out;
}
