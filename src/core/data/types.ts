// The one shape every data source takes, so the trainer, metrics, CLI and UI never
// care where samples come from (TensorFlow Playground's `dataset.ts` habit: one signature).
import type { Rng } from '../rng';

export interface Batch {
  x: Float32Array; // n * prod(shape), row-major; images HWC in [-1, 1]
  y: Int32Array;
  eps?: Float32Array; // the noise paired with each sample (reflow's fixed couplings); drawn by the trainer when absent
}

export interface DatasetInfo {
  readonly name: string; readonly kind: 'image' | 'points';
  readonly shape: readonly number[];        // [H, W, C] for images, [2] for points
  readonly numClasses: number;              // >= 1, labels in [0, numClasses)
  readonly classNames: readonly string[];
  readonly description: string;             // one line for the UI
  readonly needsAsset?: 'mnist';            // MNIST needs the binary asset to be loaded
}

export interface Dataset extends DatasetInfo {
  readonly size: number;                    // training-set size, Infinity for procedural streams
  sample(rng: Rng, n: number): Batch;       // n training samples, consuming rng (indices with replacement, or procedural draws)
  // Deterministic held-out samples (independent of any rng passed in), for metrics.
  // heldOut(m) is a prefix of heldOut(n) for m <= n. A finite pool (MNIST, uploads)
  // is repeated in the same order when n exceeds it.
  heldOut(n: number): Batch;
}
