// Bias add and tanh-GELU (PyTorch GELU(approximate="tanh"), DiT's MLP activation) as one kernel:
//   u = h + b,  y = ½u(1 + tanh z) = u·σ(2z),  z = √(2/π)(u + 0.044715u³)
//   dy/du = σ + u·σ(1 − σ)·2√(2/π)(1 + 3·0.044715u²),  db = Σ_rows du.
// The sigmoid form is the same function (½(1 + tanh z) = σ(2z)) and needs one exp.

import * as tf from '@tensorflow/tfjs';
import { FlowProgram, fusedPath, heapF32, ptr, fusedKernels, runFused, runProgram, wasmBackend, wasmFused, wgslF32, type FusedKernelArgs } from './fused';

export const BIAS_GELU = 'FlowBiasGelu';
export const BIAS_GELU_GRAD = 'FlowBiasGeluGrad';

const C = 0.044715;
const K = 2 * Math.sqrt(2 / Math.PI);

/** GELU (tanh approximation) of h + b from plain tfjs ops, in the sigmoid form. */
export function biasGeluComposite(h: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const u = h.add(b);
    const z2 = u.add(u.mul(u).mul(u).mul(C)).mul(K);
    return u.mul(tf.sigmoid(z2)) as tf.Tensor2D;
  });
}

/** h [R, F], b [F] → gelu(h + b) [R, F]. */
export function biasGelu(h: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (h.rank !== 2 || b.rank !== 1 || b.shape[0] !== h.shape[1]) throw new Error(`biasGelu: h must be [R, F] and b [F], got [${h.shape}] and [${b.shape}]`);
  const path = fusedPath();
  if (!path) return biasGeluComposite(h, b);
  registerKernels();
  const f = tf.customGrad((hh, bb, save) => {
    (save as tf.GradSaveFunc)([hh as tf.Tensor, bb as tf.Tensor]);
    return {
      value: runFused<tf.Tensor>(BIAS_GELU, { h: hh as tf.Tensor, b: bb as tf.Tensor }),
      gradFunc: (dy: tf.Tensor, [sh, sb]: tf.Tensor[]) => {
        if (path === 'wasm') return runFused<tf.Tensor[]>(BIAS_GELU_GRAD, { dy, h: sh, b: sb });
        const du = runFused<tf.Tensor>(BIAS_GELU_GRAD, { dy, h: sh, b: sb });
        return [du, tf.sum(du, 0)];
      },
    };
  });
  return f(h, b) as tf.Tensor2D;
}

function wasmForward({ inputs: { h, b }, backend }: FusedKernelArgs): tf.TensorInfo {
  const be = wasmBackend(backend);
  const [R, F] = h.shape;
  const out = be.makeOutput(h.shape, 'float32');
  const simd = wasmFused();
  if (simd && F % 4 === 0) {
    simd.gelu_fwd(ptr(be, h), ptr(be, b), ptr(be, out), R, F);
    return out;
  }
  const Hv = heapF32(be, h);
  const Bv = heapF32(be, b);
  const Y = heapF32(be, out);
  for (let r = 0; r < R; r++) {
    const o = r * F;
    for (let f = 0; f < F; f++) {
      const u = Hv[o + f] + Bv[f];
      Y[o + f] = u / (1 + Math.exp(-K * (u + C * u * u * u)));
    }
  }
  return out;
}

function wasmBackward({ inputs: { dy, h, b }, backend }: FusedKernelArgs): tf.TensorInfo[] {
  const be = wasmBackend(backend);
  const [R, F] = h.shape;
  const duInfo = be.makeOutput(h.shape, 'float32');
  const dbInfo = be.makeOutput(b.shape, 'float32');
  const simd = wasmFused();
  if (simd && F % 4 === 0) {
    heapF32(be, dbInfo).fill(0);
    simd.gelu_bwd(ptr(be, dy), ptr(be, h), ptr(be, b), ptr(be, duInfo), ptr(be, dbInfo), R, F);
    return [duInfo, dbInfo];
  }
  const G = heapF32(be, dy);
  const Hv = heapF32(be, h);
  const Bv = heapF32(be, b);
  const DU = heapF32(be, duInfo);
  const db = new Float64Array(F);
  for (let r = 0; r < R; r++) {
    const o = r * F;
    for (let f = 0; f < F; f++) {
      const u = Hv[o + f] + Bv[f];
      const u2 = u * u;
      const s = 1 / (1 + Math.exp(-K * (u + C * u2 * u)));
      const du = G[o + f] * (s + u * s * (1 - s) * K * (1 + 3 * C * u2));
      DU[o + f] = du;
      db[f] += du;
    }
  }
  heapF32(be, dbInfo).set(db);
  return [duInfo, dbInfo];
}

// sigmoid written so that neither branch overflows: exp of a non-positive argument only
const SIGMOID = `fn flowSigmoid(z : f32) -> f32 {
  let e = exp(-abs(z));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), z >= 0.0);
}`;

function webgpuForward({ inputs: { h, b }, backend }: FusedKernelArgs): tf.TensorInfo {
  const size = h.shape[0] * h.shape[1];
  const program = new FlowProgram('flowBiasGelu', ['H', 'B'], h.shape, size, `
  let F = uniforms.hShape.y;
  if (index >= uniforms.hShape.x * F) { return; }
  let u = H[index] + B[index % F];
  result[index] = u * flowSigmoid(${wgslF32(K)} * (u + ${wgslF32(C)} * u * u * u));`, undefined, SIGMOID);
  return runProgram(backend, program, [h, b]);
}

function webgpuBackward({ inputs: { dy, h, b }, backend }: FusedKernelArgs): tf.TensorInfo {
  const size = h.shape[0] * h.shape[1];
  const program = new FlowProgram('flowBiasGeluGrad', ['Dy', 'H', 'B'], h.shape, size, `
  let F = uniforms.hShape.y;
  if (index >= uniforms.hShape.x * F) { return; }
  let u = H[index] + B[index % F];
  let s = flowSigmoid(${wgslF32(K)} * (u + ${wgslF32(C)} * u * u * u));
  result[index] = Dy[index] * (s + u * s * (1.0 - s) * ${wgslF32(K)} * (1.0 + ${wgslF32(3 * C)} * u * u));`, undefined, SIGMOID);
  return runProgram(backend, program, [dy, h, b]);
}

const registerKernels = fusedKernels([BIAS_GELU, BIAS_GELU_GRAD], { wasm: [wasmForward, wasmBackward], webgpu: [webgpuForward, webgpuBackward] });
