// LayerNorm without affine parameters followed by DiT's adaLN modulate, as one kernel:
//   y = (x − μ)·rstd·(1 + scale) + shift,  μ, σ² over the last axis, rstd = 1/√(σ² + ε)
// (Peebles & Xie 2023, adaLN-Zero blocks). shift and scale are read straight out of the block's modulation
// vector mod [B, W] (chunks c and c + 1 of width D), so neither the forward split nor the backward concat
// runs. Backward (the standard LayerNorm gradient, with g = dy·(1 + scale) and x̂ = (x − μ)·rstd):
//   dx = rstd·(g − mean(g) − x̂·mean(g·x̂)),  dshift = Σ_n dy,  dscale = Σ_n dy·x̂.
// The statistics are recomputed in the backward pass rather than stored (a row pass is cheap next to a
// tensor kept alive across the step).

import * as tf from '@tensorflow/tfjs';
import { FlowProgram, fusedPath, heapF32, ptr, fusedKernels, runFused, runProgram, wasmBackend, wasmFused, type FusedKernelArgs } from './fused';

export const ADALN_MODULATE = 'FlowAdaLNModulate';
export const ADALN_MODULATE_GRAD = 'FlowAdaLNModulateGrad';

function check(x: tf.Tensor3D, mod: tf.Tensor2D, chunk: number): void {
  if (x.rank !== 3) throw new Error(`adaLNModulate: x must be [B, N, D], got [${x.shape}]`);
  if (mod.rank !== 2 || mod.shape[0] !== x.shape[0]) throw new Error(`adaLNModulate: mod must be [B, W] with B = ${x.shape[0]}, got [${mod.shape}]`);
  if (!Number.isInteger(chunk) || chunk < 0 || (chunk + 2) * x.shape[2] > mod.shape[1]) {
    throw new Error(`adaLNModulate: chunk ${chunk} with D = ${x.shape[2]} needs ${(chunk + 2) * x.shape[2]} columns of mod, it has ${mod.shape[1]}`);
  }
}

/** The same function from plain tfjs ops (the reference, and the path on backends without fused kernels). */
export function adaLNModulateComposite(x: tf.Tensor3D, mod: tf.Tensor2D, chunk: number, eps = 1e-6): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, , D] = x.shape;
    const shift = tf.slice(mod, [0, chunk * D], [B, D]);
    const scale = tf.slice(mod, [0, (chunk + 1) * D], [B, D]);
    const { mean, variance } = tf.moments(x, -1, true);
    const xn = x.sub(mean).mul(tf.rsqrt(variance.add(eps)));
    return xn.mul(scale.expandDims(1).add(1)).add(shift.expandDims(1)) as tf.Tensor3D;
  });
}

/** x [B, N, D], mod [B, W]: shift = mod[:, cD:(c+1)D], scale = mod[:, (c+1)D:(c+2)D] → [B, N, D]. */
export function adaLNModulate(x: tf.Tensor3D, mod: tf.Tensor2D, chunk: number, eps = 1e-6): tf.Tensor3D {
  check(x, mod, chunk);
  if (!fusedPath()) return adaLNModulateComposite(x, mod, chunk, eps);
  registerKernels();
  const attrs = { chunk, eps };
  const f = tf.customGrad((xx, mm, save) => {
    (save as tf.GradSaveFunc)([xx as tf.Tensor, mm as tf.Tensor]);
    return {
      value: runFused<tf.Tensor>(ADALN_MODULATE, { x: xx as tf.Tensor, mod: mm as tf.Tensor }, attrs),
      gradFunc: (dy: tf.Tensor, [sx, sm]: tf.Tensor[]) => runFused<tf.Tensor[]>(ADALN_MODULATE_GRAD, { dy, x: sx, mod: sm }, attrs),
    };
  });
  return f(x, mod) as tf.Tensor3D;
}

// ---- wasm: SIMD kernels on tfjs's heap (wasm_fused_module.ts); JS loops where D is not a multiple of 4 ----

/** LayerNorm statistics of the row X[o, o + D): mean and 1/√(var + eps), the two passes of the reference. */
function rowStats(X: Float32Array, o: number, D: number, eps: number): { mean: number; rstd: number } {
  let s = 0;
  for (let d = 0; d < D; d++) s += X[o + d];
  const mean = s / D;
  let v = 0;
  for (let d = 0; d < D; d++) {
    const t = X[o + d] - mean;
    v += t * t;
  }
  return { mean, rstd: 1 / Math.sqrt(v / D + eps) };
}

function wasmForward({ inputs: { x, mod }, backend, attrs: { chunk, eps } }: FusedKernelArgs): tf.TensorInfo {
  const be = wasmBackend(backend);
  const [B, N, D] = x.shape;
  const W = mod.shape[1];
  const out = be.makeOutput(x.shape, 'float32');
  const simd = wasmFused();
  if (simd && D % 4 === 0) {
    simd.adaln_fwd(ptr(be, x), ptr(be, mod), ptr(be, out), B, N, D, W, chunk, eps, 1 / D);
    return out;
  }
  const X = heapF32(be, x);
  const M = heapF32(be, mod);
  const Y = heapF32(be, out);
  for (let b = 0; b < B; b++) {
    const sh = b * W + chunk * D;
    const sc = sh + D;
    for (let n = 0; n < N; n++) {
      const o = (b * N + n) * D;
      const { mean, rstd } = rowStats(X, o, D, eps);
      for (let d = 0; d < D; d++) Y[o + d] = (X[o + d] - mean) * rstd * (1 + M[sc + d]) + M[sh + d];
    }
  }
  return out;
}

function wasmBackward({ inputs: { dy, x, mod }, backend, attrs: { chunk, eps } }: FusedKernelArgs): tf.TensorInfo[] {
  const be = wasmBackend(backend);
  const [B, N, D] = x.shape;
  const W = mod.shape[1];
  const dxInfo = be.makeOutput(x.shape, 'float32');
  const dmodInfo = be.makeOutput(mod.shape, 'float32');
  const simd = wasmFused();
  if (simd && D % 4 === 0) {
    heapF32(be, dmodInfo).fill(0);
    simd.adaln_bwd(ptr(be, dy), ptr(be, x), ptr(be, mod), ptr(be, dxInfo), ptr(be, dmodInfo), B, N, D, W, chunk, eps, 1 / D);
    return [dxInfo, dmodInfo];
  }
  const G = heapF32(be, dy);
  const X = heapF32(be, x);
  const M = heapF32(be, mod);
  const DX = heapF32(be, dxInfo);
  const DM = heapF32(be, dmodInfo);
  DM.fill(0);
  const dShift = new Float64Array(D);
  const dScale = new Float64Array(D);
  for (let b = 0; b < B; b++) {
    const sc = b * W + (chunk + 1) * D;
    dShift.fill(0);
    dScale.fill(0);
    for (let n = 0; n < N; n++) {
      const o = (b * N + n) * D;
      const { mean, rstd } = rowStats(X, o, D, eps);
      let sg = 0;
      let sgx = 0;
      for (let d = 0; d < D; d++) {
        const xh = (X[o + d] - mean) * rstd;
        const gy = G[o + d];
        const g = gy * (1 + M[sc + d]);
        dShift[d] += gy;
        dScale[d] += gy * xh;
        sg += g;
        sgx += g * xh;
      }
      const mg = sg / D;
      const mgx = sgx / D;
      for (let d = 0; d < D; d++) {
        const xh = (X[o + d] - mean) * rstd;
        DX[o + d] = rstd * (G[o + d] * (1 + M[sc + d]) - mg - xh * mgx);
      }
    }
    const sh = b * W + chunk * D;
    for (let d = 0; d < D; d++) {
      DM[sh + d] = dShift[d];
      DM[sh + D + d] = dScale[d];
    }
  }
  return [dxInfo, dmodInfo];
}

// ---- webgpu: one invocation per row (forward, statistics, dx) or per column of mod (dmod) ----

const ROW_STATS = `
  let N = uniforms.xShape.y;
  let D = uniforms.xShape.z;
  let base = index * D;
  var s = 0.0;
  for (var d = 0; d < D; d = d + 1) { s = s + X[base + d]; }
  let mean = s / f32(D);
  var v = 0.0;
  for (var d = 0; d < D; d = d + 1) { let t = X[base + d] - mean; v = v + t * t; }
  let rstd = inverseSqrt(v / f32(D) + uniforms.eps);`;

function rows(x: tf.TensorInfo): number {
  return x.shape[0] * x.shape[1];
}

function webgpuForward({ inputs: { x, mod }, backend, attrs: { chunk, eps } }: FusedKernelArgs): tf.TensorInfo {
  const program = new FlowProgram('flowAdaLN', ['X', 'Mod'], x.shape, rows(x), `
  if (index >= uniforms.xShape.x * uniforms.xShape.y) { return; }
  ${ROW_STATS}
  let sh = (index / N) * uniforms.modShape.y + uniforms.chunk * D;
  for (var d = 0; d < D; d = d + 1) {
    result[base + d] = (X[base + d] - mean) * rstd * (1.0 + Mod[sh + D + d]) + Mod[sh + d];
  }`, 'eps : f32, chunk : i32,');
  return runProgram(backend, program, [x, mod], [{ type: 'float32', data: [eps] }, { type: 'int32', data: [chunk] }]);
}

function webgpuBackward({ inputs: { dy, x, mod }, backend, attrs: { chunk, eps } }: FusedKernelArgs): tf.TensorInfo[] {
  const R = rows(x);
  const uniforms = [{ type: 'float32' as const, data: [eps] }, { type: 'int32' as const, data: [chunk] }];
  const stats = runProgram(backend, new FlowProgram('flowAdaLNStats', ['X'], [R, 2], R, `
  if (index >= uniforms.xShape.x * uniforms.xShape.y) { return; }
  ${ROW_STATS}
  result[2 * index] = mean;
  result[2 * index + 1] = rstd;`, 'eps : f32, chunk : i32,'), [x], uniforms);
  const dx = runProgram(backend, new FlowProgram('flowAdaLNGradX', ['Dy', 'X', 'Mod', 'Stats'], x.shape, R, `
  if (index >= uniforms.xShape.x * uniforms.xShape.y) { return; }
  let N = uniforms.xShape.y;
  let D = uniforms.xShape.z;
  let base = index * D;
  let mean = Stats[2 * index];
  let rstd = Stats[2 * index + 1];
  let sc = (index / N) * uniforms.modShape.y + (uniforms.chunk + 1) * D;
  var sg = 0.0;
  var sgx = 0.0;
  for (var d = 0; d < D; d = d + 1) {
    let g = Dy[base + d] * (1.0 + Mod[sc + d]);
    sg = sg + g;
    sgx = sgx + g * (X[base + d] - mean) * rstd;
  }
  let mg = sg / f32(D);
  let mgx = sgx / f32(D);
  for (var d = 0; d < D; d = d + 1) {
    let xh = (X[base + d] - mean) * rstd;
    result[base + d] = rstd * (Dy[base + d] * (1.0 + Mod[sc + d]) - mg - xh * mgx);
  }`, 'eps : f32, chunk : i32,'), [dy, x, mod, stats], uniforms);
  const [B, W] = mod.shape;
  const dmod = runProgram(backend, new FlowProgram('flowAdaLNGradMod', ['Dy', 'X', 'Stats'], [B, W], B * W, `
  let W = uniforms.outShape.y;
  if (index >= uniforms.outShape.x * W) { return; }
  let N = uniforms.xShape.y;
  let D = uniforms.xShape.z;
  let b = index / W;
  let w = index % W - uniforms.chunk * D;
  var acc = 0.0;
  if (w >= 0 && w < D) {
    for (var n = 0; n < N; n = n + 1) { acc = acc + Dy[(b * N + n) * D + w]; }
  } else if (w >= D && w < 2 * D) {
    let d = w - D;
    for (var n = 0; n < N; n = n + 1) {
      let r = b * N + n;
      acc = acc + Dy[r * D + d] * (X[r * D + d] - Stats[2 * r]) * Stats[2 * r + 1];
    }
  }
  result[index] = acc;`, 'eps : f32, chunk : i32,'), [dy, x, stats], uniforms);
  (backend as { disposeData(id: object): void }).disposeData(stats.dataId);
  return [dx, dmod];
}

const registerKernels = fusedKernels([ADALN_MODULATE, ADALN_MODULATE_GRAD], { wasm: [wasmForward, wasmBackward], webgpu: [webgpuForward, webgpuBackward] });
