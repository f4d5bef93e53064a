// The gated residual of an adaLN-Zero block (Peebles & Xie 2023) as one kernel: y = x + gate ⊙ h, with the
// per-sample gate read from chunk c of the modulation vector mod [B, W] and broadcast over tokens.
// Backward: dx = dy, dh = dy ⊙ gate, dgate = Σ_n dy ⊙ h (written into the gate's columns of dmod).

import * as tf from '@tensorflow/tfjs';
import { FlowProgram, fusedPath, heapF32, ptr, fusedKernels, runFused, runProgram, wasmBackend, wasmFused, type FusedKernelArgs } from './fused';

export const GATED_RESIDUAL = 'FlowGatedResidual';
export const GATED_RESIDUAL_GRAD = 'FlowGatedResidualGrad';

function check(x: tf.Tensor3D, h: tf.Tensor3D, mod: tf.Tensor2D, chunk: number): void {
  if (x.rank !== 3 || x.shape.join() !== h.shape.join()) throw new Error(`gatedResidual: x [${x.shape}] and h [${h.shape}] must be equal [B, N, D]`);
  if (mod.rank !== 2 || mod.shape[0] !== x.shape[0]) throw new Error(`gatedResidual: mod must be [B, W] with B = ${x.shape[0]}, got [${mod.shape}]`);
  if (!Number.isInteger(chunk) || chunk < 0 || (chunk + 1) * x.shape[2] > mod.shape[1]) {
    throw new Error(`gatedResidual: chunk ${chunk} with D = ${x.shape[2]} needs ${(chunk + 1) * x.shape[2]} columns of mod, it has ${mod.shape[1]}`);
  }
}

export function gatedResidualComposite(x: tf.Tensor3D, h: tf.Tensor3D, mod: tf.Tensor2D, chunk: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, , D] = x.shape;
    const gate = tf.slice(mod, [0, chunk * D], [B, D]);
    return x.add(gate.expandDims(1).mul(h)) as tf.Tensor3D;
  });
}

/** x, h [B, N, D], mod [B, W], gate = mod[:, cD:(c+1)D] → x + gate·h [B, N, D]. */
export function gatedResidual(x: tf.Tensor3D, h: tf.Tensor3D, mod: tf.Tensor2D, chunk: number): tf.Tensor3D {
  check(x, h, mod, chunk);
  if (!fusedPath()) return gatedResidualComposite(x, h, mod, chunk);
  registerKernels();
  const attrs = { chunk };
  const f = tf.customGrad((xx, hh, mm, save) => {
    (save as tf.GradSaveFunc)([hh as tf.Tensor, mm as tf.Tensor]);
    return {
      value: runFused<tf.Tensor>(GATED_RESIDUAL, { x: xx as tf.Tensor, h: hh as tf.Tensor, mod: mm as tf.Tensor }, attrs),
      gradFunc: (dy: tf.Tensor, [sh, sm]: tf.Tensor[]) => [dy, ...runFused<tf.Tensor[]>(GATED_RESIDUAL_GRAD, { dy, h: sh, mod: sm }, attrs)],
    };
  });
  return f(x, h, mod) as tf.Tensor3D;
}

function wasmForward({ inputs: { x, h, mod }, backend, attrs: { chunk } }: FusedKernelArgs): tf.TensorInfo {
  const be = wasmBackend(backend);
  const [B, N, D] = x.shape;
  const W = mod.shape[1];
  const out = be.makeOutput(x.shape, 'float32');
  const simd = wasmFused();
  if (simd && D % 4 === 0) {
    simd.gated_fwd(ptr(be, x), ptr(be, h), ptr(be, mod), ptr(be, out), B, N, D, W, chunk);
    return out;
  }
  const X = heapF32(be, x);
  const H = heapF32(be, h);
  const M = heapF32(be, mod);
  const Y = heapF32(be, out);
  for (let b = 0; b < B; b++) {
    const g = b * W + chunk * D;
    for (let n = 0; n < N; n++) {
      const o = (b * N + n) * D;
      for (let d = 0; d < D; d++) Y[o + d] = X[o + d] + M[g + d] * H[o + d];
    }
  }
  return out;
}

function wasmBackward({ inputs: { dy, h, mod }, backend, attrs: { chunk } }: FusedKernelArgs): tf.TensorInfo[] {
  const be = wasmBackend(backend);
  const [B, N, D] = h.shape;
  const W = mod.shape[1];
  const dhInfo = be.makeOutput(h.shape, 'float32');
  const dmodInfo = be.makeOutput(mod.shape, 'float32');
  const simd = wasmFused();
  if (simd && D % 4 === 0) {
    heapF32(be, dmodInfo).fill(0);
    simd.gated_bwd(ptr(be, dy), ptr(be, h), ptr(be, mod), ptr(be, dhInfo), ptr(be, dmodInfo), B, N, D, W, chunk);
    return [dhInfo, dmodInfo];
  }
  const G = heapF32(be, dy);
  const H = heapF32(be, h);
  const M = heapF32(be, mod);
  const DH = heapF32(be, dhInfo);
  const DM = heapF32(be, dmodInfo);
  DM.fill(0);
  const acc = new Float64Array(D);
  for (let b = 0; b < B; b++) {
    const g = b * W + chunk * D;
    acc.fill(0);
    for (let n = 0; n < N; n++) {
      const o = (b * N + n) * D;
      for (let d = 0; d < D; d++) {
        DH[o + d] = G[o + d] * M[g + d];
        acc[d] += G[o + d] * H[o + d];
      }
    }
    for (let d = 0; d < D; d++) DM[g + d] = acc[d];
  }
  return [dhInfo, dmodInfo];
}

const CHUNK = 'chunk : i32,';

function webgpuForward({ inputs: { x, h, mod }, backend, attrs: { chunk } }: FusedKernelArgs): tf.TensorInfo {
  const size = x.shape.reduce((a, b) => a * b, 1);
  const program = new FlowProgram('flowGatedResidual', ['X', 'H', 'Mod'], x.shape, size, `
  let N = uniforms.xShape.y;
  let D = uniforms.xShape.z;
  if (index >= uniforms.xShape.x * N * D) { return; }
  let g = (index / (N * D)) * uniforms.modShape.y + uniforms.chunk * D + index % D;
  result[index] = X[index] + Mod[g] * H[index];`, CHUNK);
  return runProgram(backend, program, [x, h, mod], [{ type: 'int32', data: [chunk] }]);
}

function webgpuBackward({ inputs: { dy, h, mod }, backend, attrs: { chunk } }: FusedKernelArgs): tf.TensorInfo[] {
  const size = h.shape.reduce((a, b) => a * b, 1);
  const uniforms = [{ type: 'int32' as const, data: [chunk] }];
  const dh = runProgram(backend, new FlowProgram('flowGatedResidualGradH', ['Dy', 'Mod'], h.shape, size, `
  let N = uniforms.dyShape.y;
  let D = uniforms.dyShape.z;
  if (index >= uniforms.dyShape.x * N * D) { return; }
  result[index] = Dy[index] * Mod[(index / (N * D)) * uniforms.modShape.y + uniforms.chunk * D + index % D];`, CHUNK), [dy, mod], uniforms);
  const [B, W] = mod.shape;
  const dmod = runProgram(backend, new FlowProgram('flowGatedResidualGradMod', ['Dy', 'H'], [B, W], B * W, `
  let W = uniforms.outShape.y;
  if (index >= uniforms.outShape.x * W) { return; }
  let N = uniforms.hShape.y;
  let D = uniforms.hShape.z;
  let b = index / W;
  let d = index % W - uniforms.chunk * D;
  var acc = 0.0;
  if (d >= 0 && d < D) {
    for (var n = 0; n < N; n = n + 1) { let i = (b * N + n) * D + d; acc = acc + Dy[i] * H[i]; }
  }
  result[index] = acc;`, CHUNK), [dy, h], uniforms);
  return [dh, dmod];
}

const registerKernels = fusedKernels([GATED_RESIDUAL, GATED_RESIDUAL_GRAD], { wasm: [wasmForward, wasmBackward], webgpu: [webgpuForward, webgpuBackward] });
