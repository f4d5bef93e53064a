// Loss by timestep: per-sample losses binned on equal-width t bins, mergeable, for streaming to panels.

export interface LossBins {
  edges: Float64Array; // bins + 1 edges from 0 to 1
  sum: Float64Array; // summed loss per bin
  count: Uint32Array; // samples per bin
}

export function emptyLossBins(bins = 20): LossBins {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins: expected an integer ≥ 1, got ${bins}`);
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = i / bins;
  return { edges, sum: new Float64Array(bins), count: new Uint32Array(bins) };
}

/** Bins (t, loss) pairs; t = 1 falls in the last bin, t outside [0, 1] and non-finite losses are skipped. */
export function binLossByT(t: ArrayLike<number>, loss: ArrayLike<number>, bins = 20): LossBins {
  if (t.length !== loss.length) throw new Error(`loss: expected ${t.length} values (one per t), got ${loss.length}`);
  const out = emptyLossBins(bins);
  for (let i = 0; i < t.length; i++) {
    const ti = t[i];
    if (!(ti >= 0 && ti <= 1) || !Number.isFinite(loss[i])) continue;
    const b = Math.min(bins - 1, Math.floor(ti * bins));
    out.sum[b] += loss[i];
    out.count[b] += 1;
  }
  return out;
}

/** a + b (same bins), as a new object. */
export function mergeLossBins(a: LossBins, b: LossBins): LossBins {
  if (a.sum.length !== b.sum.length) throw new Error(`bins: cannot merge ${a.sum.length} bins with ${b.sum.length}`);
  const out = emptyLossBins(a.sum.length);
  for (let i = 0; i < a.sum.length; i++) {
    out.sum[i] = a.sum[i] + b.sum[i];
    out.count[i] = a.count[i] + b.count[i];
  }
  return out;
}

/** Mean loss per bin (NaN where a bin is empty). */
export function meanLossByBin(b: LossBins): Float64Array {
  return b.sum.map((s, i) => (b.count[i] > 0 ? s / b.count[i] : NaN));
}
