// Axis ticks for the canvas charts: "nice" steps of 1, 2 or 5 × 10^k on linear axes (Heckbert 1990,
// "Nice numbers for graph labels"), and 1-2-5 per decade on log axes.

/** About `count` round tick values covering [min, max] (inclusive where they fall inside). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  // A span far below the values' own precision (1e9 ± 1e-7) has no distinct round ticks.
  if (!(last - first < 1000) || first * step + step === first * step) return [min, max];
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return out;
}

/** Ticks for a log axis over [min, max] (> 0): powers of ten, with 2 and 5 between when there are few decades. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0)) return [];
  if (min > max) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const mults = hi - lo <= 1 ? [1, 1.5, 2, 3, 5, 7] : hi - lo <= 3 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of mults) {
    const v = Number((m * 10 ** e).toPrecision(12));
    if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
  }
  return out;
}

/** [min, max] of the finite (and, for log axes, positive) values, padded by `pad` of the span. */
export function extent(values: Iterable<number>, log = false, pad = 0.05): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && !(v > 0))) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return null;
  if (log) {
    const k = lo === hi ? 1.2 : (hi / lo) ** pad;
    return [lo / k, hi * k];
  }
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - pad * span, hi + pad * span];
}
