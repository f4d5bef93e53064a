// Number formatting shared by panels.

export function fmtNum(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return v.toFixed(digits);
}

/** Bytes with binary units; `digits` significant figures when given (compact tick labels). */
export function fmtBytes(b: number | undefined, digits?: number): string {
  if (b === undefined || !Number.isFinite(b)) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  if (digits !== undefined) return `${Number(b.toPrecision(digits))} ${units[i]}`;
  return `${b.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function fmtDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m ${String(s % 60).padStart(2, '0')}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** Exponential moving average, as TensorBoard's smoothing slider (debiased at the start). */
export function smooth(xs: readonly number[], weight: number): number[] {
  const out: number[] = new Array(xs.length);
  let last = 0;
  let norm = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!Number.isFinite(x)) {
      out[i] = x;
      continue;
    }
    last = last * weight + (1 - weight) * x;
    norm = norm * weight + (1 - weight);
    out[i] = last / norm;
  }
  return out;
}

/** At most `max` evenly spaced indices of an array of length n (always including the last). */
export function strideIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  const step = (n - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(Math.round(k * step));
  return out;
}

/** Compact tick labels: 1.2k, 3.4M, 0.0012. */
export function fmtTick(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(2)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(2)}M`;
  if (a >= 1e3) return `${(v / 1e3).toPrecision(2)}k`;
  if (a === 0) return '0';
  return a < 0.01 ? v.toExponential(0) : String(Number(v.toPrecision(2)));
}
