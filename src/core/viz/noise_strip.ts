// x_t = α(t)·x0 + σ(t)·ε for display. A variance-exploding path (edm: α = 1, σ up to ∞) would wash out to
// white, so values are divided by max(1, √(α² + σ²)) (the edm network's input scaling up to σ_data), and at
// σ = ∞ the limit of that, ε itself, is shown.

export function noisedForDisplay(x0: ArrayLike<number>, eps: ArrayLike<number>, alpha: number, sigma: number, out?: Float32Array): Float32Array {
  if (x0.length !== eps.length) throw new Error(`noise strip: x0 has ${x0.length} values, eps ${eps.length}`);
  const res = out ?? new Float32Array(x0.length);
  if (!Number.isFinite(sigma)) {
    for (let i = 0; i < x0.length; i++) res[i] = eps[i];
    return res;
  }
  const k = 1 / Math.max(1, Math.hypot(alpha, sigma));
  for (let i = 0; i < x0.length; i++) res[i] = k * (alpha * x0[i] + sigma * eps[i]);
  return res;
}

/** Whether the display scaling visibly acts at (α, σ), so the panel can say so (float32 tables round α² + σ² = 1). */
export function displayScaled(alpha: number, sigma: number): boolean {
  return !Number.isFinite(sigma) || Math.hypot(alpha, sigma) > 1 + 1e-4;
}
