// Small dense symmetric linear algebra in float64 for the metrics (feature dimensions are tens, not
// thousands): the cyclic Jacobi eigenvalue method (Golub & Van Loan, "Matrix Computations", §8.5), and the
// PSD matrix square root built on it. Matrices are row-major Float64Arrays of n·n values.

export interface SymmetricEigen {
  values: Float64Array; // [n], unsorted
  vectors: Float64Array; // [n, n] row-major; column j is the eigenvector of values[j]
}

/**
 * Eigen-decomposition A = V·diag(λ)·Vᵀ of a symmetric matrix by cyclic Jacobi rotations. Only the upper
 * triangle's symmetric part is trusted: the input is symmetrised first. Converges quadratically; stops
 * when the off-diagonal mass is below 1e-30 of the total or after `maxSweeps`.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number, maxSweeps = 60): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: expected an integer ≥ 1, got ${n}`);
  if (a.length !== n * n) throw new Error(`matrix: expected ${n}·${n} = ${n * n} values, got ${a.length}`);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) A[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  }
  for (const v of A) if (!Number.isFinite(v)) throw new Error('matrix: holds a non-finite value');
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;

  let total = 0;
  for (const v of A) total += v * v;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * A[p * n + q] * A[p * n + q];
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        // Rotation angle that zeroes A[p][q] (G&VL Algorithm 8.5.1, the smaller of the two roots).
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // A ← A·J (columns p, q)
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          // A ← Jᵀ·A (rows p, q)
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i];
  return { values, vectors: V };
}

/** V·diag(f(λ))·Vᵀ for a symmetric matrix. */
export function symmetricFunction(a: ArrayLike<number>, n: number, f: (lambda: number) => number): Float64Array {
  const { values, vectors: V } = symmetricEigen(a, n);
  const fl = values.map(f);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V[i * n + k] * fl[k] * V[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * Principal square root of a symmetric positive semi-definite matrix. Eigenvalues that round-off pushed
 * below zero (a covariance estimated from fewer samples than dimensions is singular) are taken as 0.
 */
export function sqrtPsd(a: ArrayLike<number>, n: number): Float64Array {
  return symmetricFunction(a, n, (l) => Math.sqrt(Math.max(0, l)));
}

/**
 * Singular values of a square matrix by one-sided Jacobi (Hestenes 1958; Demmel & Veselić 1992): rotate
 * pairs of columns until all are orthogonal; the column norms are then the singular values, accurate to
 * about ε·‖A‖ absolutely, where going through the eigenvalues of AᵀA would lose half the digits of the
 * small ones (√(ε·‖A‖²)).
 */
export function singularValues(a: ArrayLike<number>, n: number, maxSweeps = 60): Float64Array {
  if (a.length !== n * n) throw new Error(`matrix: expected ${n}·${n} = ${n * n} values, got ${a.length}`);
  const G = new Float64Array(n * n); // G[j·n + i] = A[i][j]: row j of G is column j of A
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[j * n + i] = a[i * n + j];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let k = 0; k < n; k++) {
          const x = G[p * n + k];
          const y = G[q * n + k];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let k = 0; k < n; k++) {
          const x = G[p * n + k];
          const y = G[q * n + k];
          G[p * n + k] = c * x - s * y;
          G[q * n + k] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let k = 0; k < n; k++) ss += G[j * n + k] ** 2;
    out[j] = Math.sqrt(ss);
  }
  return out;
}

/** C = A·B for n×n row-major matrices. */
export function matMul64(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

export function trace(a: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * n + i];
  return s;
}
