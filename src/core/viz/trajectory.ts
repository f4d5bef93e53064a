// Particles along a sampled ODE trajectory: positions between the solver's frames, for animation.

/**
 * Positions at time t of particles recorded at `times` (decreasing from noise to data, one frame per time,
 * each [n·dim]), by linear interpolation between the two frames around t; t outside the range clamps.
 */
export function positionsAt(frames: readonly Float32Array[], times: readonly number[], t: number, out?: Float32Array): Float32Array {
  if (frames.length === 0 || frames.length !== times.length) throw new Error(`trajectory: ${frames.length} frames for ${times.length} times`);
  const len = frames[0].length;
  const res = out ?? new Float32Array(len);
  if (t >= times[0]) {
    res.set(frames[0]);
    return res;
  }
  const last = times.length - 1;
  if (t <= times[last]) {
    res.set(frames[last]);
    return res;
  }
  let i = 0;
  while (i < last - 1 && times[i + 1] > t) i++;
  const f = (times[i] - t) / (times[i] - times[i + 1]);
  const a = frames[i];
  const b = frames[i + 1];
  for (let k = 0; k < len; k++) res[k] = a[k] + f * (b[k] - a[k]);
  return res;
}

/** The index of the time in `times` nearest to t. */
export function nearestTime(times: readonly number[], t: number): number {
  let best = 0;
  for (let i = 1; i < times.length; i++) if (Math.abs(times[i] - t) < Math.abs(times[best] - t)) best = i;
  return best;
}

/** Mean distance particles moved between the first and the last frame (0 for a frozen cloud). */
export function meanDisplacement(frames: readonly Float32Array[], dim = 2): number {
  if (frames.length < 2) return 0;
  const a = frames[0];
  const b = frames[frames.length - 1];
  const n = a.length / dim;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let d2 = 0;
    for (let k = 0; k < dim; k++) d2 += (b[i * dim + k] - a[i * dim + k]) ** 2;
    s += Math.sqrt(d2);
  }
  return n > 0 ? s / n : 0;
}
