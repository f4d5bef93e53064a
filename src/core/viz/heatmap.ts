// The loss-by-timestep heat map: flush columns (each a set of t bins) merged down to a drawable width,
// and a perceptual colour map for the cells.

export interface LossColumn {
  step: number; // the last step in the column
  sum: ArrayLike<number>; // summed loss per t bin
  count: ArrayLike<number>; // samples per t bin
}

export interface HeatGrid {
  cols: number;
  bins: number;
  /** Mean loss, column-major: value[c·bins + b]; NaN where a cell saw no sample. */
  value: Float64Array;
  /** The last step of each merged column. */
  step: Int32Array;
  min: number;
  max: number;
}

/** Merges consecutive columns (by summing) into at most `maxCols` columns of mean loss per bin. */
export function mergeColumns(columns: readonly LossColumn[], maxCols: number): HeatGrid {
  if (!Number.isInteger(maxCols) || maxCols < 1) throw new Error(`maxCols: expected an integer ≥ 1, got ${maxCols}`);
  const n = columns.length;
  const bins = n > 0 ? columns[0].sum.length : 0;
  const cols = Math.min(n, maxCols);
  const value = new Float64Array(cols * bins);
  const step = new Int32Array(cols);
  let min = Infinity;
  let max = -Infinity;
  for (let c = 0; c < cols; c++) {
    const from = Math.floor((c * n) / cols);
    const to = Math.floor(((c + 1) * n) / cols);
    for (let b = 0; b < bins; b++) {
      let s = 0;
      let k = 0;
      for (let i = from; i < to; i++) {
        s += columns[i].sum[b];
        k += columns[i].count[b];
      }
      const v = k > 0 ? s / k : NaN;
      value[c * bins + b] = v;
      if (k > 0 && Number.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    step[c] = columns[to - 1].step;
  }
  return { cols, bins, value, step, min, max };
}

// Viridis at 9 stops (matplotlib's _viridis_data, every 32nd entry), linearly interpolated.
const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** Viridis colour of u in [0, 1] (clamped) as [r, g, b] bytes. */
export function viridis(u: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
}

/** Position of v between min and max on a log scale (losses span decades), in [0, 1]. */
export function logUnit(v: number, min: number, max: number): number {
  if (!(v > 0) || !(min > 0) || !(max > min)) return max > min ? 0 : 0.5;
  return Math.min(1, Math.max(0, Math.log(v / min) / Math.log(max / min)));
}
