// Plain-JavaScript float64 attention, the yardstick for tests and the self-check: no tfjs,
// no tiling, one loop per index, so it is easy to read and to trust. Layout and head
// grouping follow attention(): q [B, H, N, d], k and v [B, Hkv, N, d], query head h reads
// key/value head floor(h / (H / Hkv)).

export interface AttentionDims {
  B: number;
  H: number;
  Hkv: number;
  N: number;
  d: number;
}

/** elu(x) + 1, the positive feature map of linear attention (Katharopoulos et al. 2020). */
export const eluPlusOne = (x: number): number => (x > 0 ? x + 1 : Math.exp(x));

/**
 * Reference attention in float64. 'softmax' is exact softmax(q·kᵀ/√d)·v; 'linear' is the
 * kernelised approximation φ(q)ᵀ(Σⱼ φ(kⱼ) vⱼᵀ) / φ(q)ᵀ(Σⱼ φ(kⱼ)) with φ = elu + 1.
 */
export function referenceAttention(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  dims: AttentionDims,
  kind: 'softmax' | 'linear' = 'softmax',
): Float64Array {
  const { B, H, Hkv, N, d } = dims;
  const G = H / Hkv;
  const out = new Float64Array(B * H * N * d);
  const scale = 1 / Math.sqrt(d);
  const w = new Float64Array(N);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const qBase = (b * H + h) * N * d;
      const kvBase = (b * Hkv + Math.floor(h / G)) * N * d;
      for (let i = 0; i < N; i++) {
        let max = -Infinity;
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let c = 0; c < d; c++) {
            const qi = q[qBase + i * d + c];
            const kj = k[kvBase + j * d + c];
            s += kind === 'softmax' ? qi * kj : eluPlusOne(qi) * eluPlusOne(kj);
          }
          w[j] = kind === 'softmax' ? s * scale : s;
          if (w[j] > max) max = w[j];
        }
        let sum = 0;
        for (let j = 0; j < N; j++) {
          if (kind === 'softmax') w[j] = Math.exp(w[j] - max);
          sum += w[j];
        }
        for (let j = 0; j < N; j++) {
          const p = w[j] / sum;
          for (let c = 0; c < d; c++) out[qBase + i * d + c] += p * v[kvBase + j * d + c];
        }
      }
    }
  }
  return out;
}

/** Σ out ⊙ weight, the scalar loss used for gradient checks (its gradient w.r.t. out is `weight`). */
export function weightedSum(out: ArrayLike<number>, weight: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * weight[i];
  return s;
}

/**
 * Central finite-difference gradients of Σ attention(q, k, v) ⊙ weight w.r.t. q, k and v,
 * in float64 (step 1e-6, so the truncation error is far below float32 rounding).
 */
export function finiteDifferenceGrads(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  weight: ArrayLike<number>,
  dims: AttentionDims,
  kind: 'softmax' | 'linear' = 'softmax',
  eps = 1e-6,
): [Float64Array, Float64Array, Float64Array] {
  const args = [Float64Array.from(q), Float64Array.from(k), Float64Array.from(v)];
  return args.map((x) => {
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const x0 = x[i];
      x[i] = x0 + eps;
      const up = weightedSum(referenceAttention(args[0], args[1], args[2], dims, kind), weight);
      x[i] = x0 - eps;
      const down = weightedSum(referenceAttention(args[0], args[1], args[2], dims, kind), weight);
      x[i] = x0;
      g[i] = (up - down) / (2 * eps);
    }
    return g;
  }) as [Float64Array, Float64Array, Float64Array];
}
