// Learning-rate schedule (nanoGPT's get_lr): linear warmup, then cosine decay to a tenth of the peak at
// the end of the run, constant after.

export interface LrSchedule {
  lr: number; // peak
  warmup: number; // steps of linear warmup
  steps: number; // end of the cosine
  minRatio?: number; // floor as a fraction of the peak (0.1)
}

/** Learning rate for 0-based `step`. */
export function getLr(step: number, s: LrSchedule): number {
  const minLr = s.lr * (s.minRatio ?? 0.1);
  if (step < s.warmup) return (s.lr * (step + 1)) / (s.warmup + 1);
  if (step >= s.steps) return minLr;
  const span = Math.max(1, s.steps - s.warmup);
  const progress = (step - s.warmup) / span; // 0 → 1
  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (s.lr - minLr);
}

/** EMA decay with a short warmup (as in many DiT/EDM codebases), so early samples are not dominated by the init. */
export function emaDecay(step: number, ema: number): number {
  return Math.min(ema, (1 + step) / (10 + step));
}
