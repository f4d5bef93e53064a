// Straightness of stored sampling trajectories x(t₀), …, x(t_K) (t₀ near 1 = noise, t_K = 0 = data).
//
// - `straightness`: the discrete form of Liu et al. 2022's S(Z) = ∫ E‖v(x_t, t) − (x₁ − x₀)‖² dt (what
//   src/core/flow/reflow.ts's `straightness` integrates with the network), taken along the solver's own
//   path: S = (1/T) Σ_k Δt_k ‖v_k − v̄‖², with v_k = (x_{k+1} − x_k)/Δt_k the secant velocity of step k,
//   v̄ = (x_K − x₀)/T the average velocity and T = t₀ − t_K. Zero iff every step moves along the chord at
//   constant speed; ‖·‖² sums over a sample's values, the mean runs over samples.
// - `pathRatio`: chord length over path length ‖x_K − x₀‖ / Σ_k ‖x_{k+1} − x_k‖, scale-free, in (0, 1],
//   1 for a straight path. Mean over samples.
// Both see only the grid points, so they are lower bounds on the curvature between them.

export interface TrajectoryStraightness {
  straightness: number;
  pathRatio: number;
}

/**
 * `frames[k]` holds the n samples at grid time `times[k]` (n·d values each, the same layout in every frame),
 * as Trainer.sample and sampleFlow return them with keepTrajectory. Needs at least two frames.
 */
export function trajectoryStraightness(frames: readonly ArrayLike<number>[], times: ArrayLike<number>, n: number): TrajectoryStraightness {
  const K = frames.length - 1;
  if (K < 1) throw new Error(`frames: need at least 2 trajectory frames, got ${frames.length}`);
  if (times.length !== frames.length) throw new Error(`times: ${times.length} grid times for ${frames.length} frames`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: expected an integer ≥ 1, got ${n}`);
  const size = frames[0].length;
  if (size % n !== 0) throw new Error(`frames: ${size} values are not a multiple of n = ${n}`);
  for (let k = 1; k <= K; k++) if (frames[k].length !== size) throw new Error(`frames: frame ${k} has ${frames[k].length} values, frame 0 has ${size}`);
  const dts = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    dts[k] = Math.abs(times[k] - times[k + 1]);
    if (!(dts[k] > 0)) throw new Error(`times: grid times ${times[k]} and ${times[k + 1]} do not differ`);
  }
  const T = Math.abs(times[0] - times[K]);
  const d = size / n;
  let sTotal = 0;
  let ratioTotal = 0;
  const chord = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let chordSq = 0;
    for (let j = 0; j < d; j++) {
      chord[j] = frames[K][o + j] - frames[0][o + j];
      chordSq += chord[j] * chord[j];
    }
    let s = 0;
    let length = 0;
    for (let k = 0; k < K; k++) {
      const a = frames[k];
      const b = frames[k + 1];
      let dev = 0;
      let stepSq = 0;
      for (let j = 0; j < d; j++) {
        const step = b[o + j] - a[o + j];
        stepSq += step * step;
        const e = step / dts[k] - chord[j] / T;
        dev += e * e;
      }
      s += dts[k] * dev;
      length += Math.sqrt(stepSq);
    }
    sTotal += s / T;
    ratioTotal += length > 0 ? Math.sqrt(chordSq) / length : 1;
  }
  return { straightness: sTotal / n, pathRatio: ratioTotal / n };
}
