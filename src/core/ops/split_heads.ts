// The attention heads out of one fused qkv projection, in the [B, heads, N, hd] layout attention wants,
// with no split, reshape and transpose chain: qkv [B, N, (H + 2·Hkv)·hd] → q [B, H, N, hd], k and v
// [B, Hkv, N, hd] (the column order of DiT's qkv Linear: all query heads, then key heads, then value heads).
// The backward pass writes dq, dk and dv back into one [B, N, (H + 2·Hkv)·hd] gradient in one kernel.

import * as tf from '@tensorflow/tfjs';
import { FlowProgram, fusedPath, heapF32, ptr, fusedKernels, runFused, runProgram, wasmBackend, wasmFused, type FusedKernelArgs } from './fused';

export const SPLIT_HEADS = 'FlowSplitHeads';
export const MERGE_HEADS = 'FlowMergeHeads';

export function splitHeadsComposite(qkv: tf.Tensor3D, heads: number, kvHeads: number): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const [B, N, C] = qkv.shape;
    const hd = C / (heads + 2 * kvHeads);
    const parts = tf.split(qkv, [heads * hd, kvHeads * hd, kvHeads * hd], 2);
    const toHeads = (t: tf.Tensor, h: number) => t.reshape([B, N, h, hd]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    return [toHeads(parts[0], heads), toHeads(parts[1], kvHeads), toHeads(parts[2], kvHeads)];
  });
}

/** qkv [B, N, (H + 2·Hkv)·hd] → [q [B, H, N, hd], k [B, Hkv, N, hd], v [B, Hkv, N, hd]]. */
export function splitHeads(qkv: tf.Tensor3D, heads: number, kvHeads: number): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const C = qkv.shape[2];
  if (qkv.rank !== 3 || C % (heads + 2 * kvHeads) !== 0) throw new Error(`splitHeads: qkv [${qkv.shape}] does not split into ${heads} + 2·${kvHeads} heads`);
  if (!fusedPath()) return splitHeadsComposite(qkv, heads, kvHeads);
  registerKernels();
  return runFused<tf.Tensor[]>(SPLIT_HEADS, { qkv }, { heads, kvHeads }) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
}

function layout(qkv: { shape: number[] }, heads: number, kvHeads: number) {
  const [B, N, C] = qkv.shape;
  const hd = C / (heads + 2 * kvHeads);
  // [first head, head count] of q, k, v within the qkv columns
  const parts: [number, number][] = [[0, heads], [heads, kvHeads], [heads + kvHeads, kvHeads]];
  return { B, N, C, hd, parts };
}

function wasmSplit({ inputs: { qkv }, backend, attrs: { heads, kvHeads } }: FusedKernelArgs): tf.TensorInfo[] {
  const be = wasmBackend(backend);
  const { B, N, C, hd, parts } = layout(qkv, heads, kvHeads);
  const outs = parts.map(([, h]) => be.makeOutput([B, h, N, hd], 'float32'));
  const simd = wasmFused();
  if (simd) {
    const src = ptr(be, qkv);
    parts.forEach(([h0, h], i) => {
      const dst = ptr(be, outs[i]);
      for (let b = 0; b < B; b++) for (let j = 0; j < h; j++) simd.copy2d(src + ((b * N * C + (h0 + j) * hd) * 4), dst + (((b * h + j) * N * hd) * 4), N, hd, C, hd);
    });
    return outs;
  }
  const X = heapF32(be, qkv);
  parts.forEach(([h0, h], i) => {
    const Y = heapF32(be, outs[i]);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < h; j++) {
        for (let n = 0; n < N; n++) {
          const src = (b * N + n) * C + (h0 + j) * hd;
          Y.set(X.subarray(src, src + hd), ((b * h + j) * N + n) * hd);
        }
      }
    }
  });
  return outs;
}

function wasmMerge({ inputs: { dq, dk, dv }, backend, attrs: { heads, kvHeads } }: FusedKernelArgs): tf.TensorInfo {
  const be = wasmBackend(backend);
  const [B, , N, hd] = dq.shape;
  const C = (heads + 2 * kvHeads) * hd;
  const out = be.makeOutput([B, N, C], 'float32');
  const { parts } = layout({ shape: [B, N, C] }, heads, kvHeads);
  const simd = wasmFused();
  if (simd) {
    const dst = ptr(be, out);
    [dq, dk, dv].forEach((g, i) => {
      const [h0, h] = parts[i];
      const src = ptr(be, g);
      for (let b = 0; b < B; b++) for (let j = 0; j < h; j++) simd.copy2d(src + (((b * h + j) * N * hd) * 4), dst + ((b * N * C + (h0 + j) * hd) * 4), N, hd, hd, C);
    });
    return out;
  }
  const X = heapF32(be, out);
  [dq, dk, dv].forEach((g, i) => {
    const [h0, h] = parts[i];
    const Y = heapF32(be, g);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < h; j++) {
        for (let n = 0; n < N; n++) {
          const src = ((b * h + j) * N + n) * hd;
          X.set(Y.subarray(src, src + hd), (b * N + n) * C + (h0 + j) * hd);
        }
      }
    }
  });
  return out;
}

function webgpuSplit({ inputs: { qkv }, backend, attrs: { heads, kvHeads } }: FusedKernelArgs): tf.TensorInfo[] {
  const { B, N, hd, parts } = layout(qkv, heads, kvHeads);
  return parts.map(([h0, h]) =>
    runProgram(backend, new FlowProgram('flowSplitHeads', ['Qkv'], [B, h, N, hd], B * h * N * hd, `
  let H = uniforms.outShape.y;
  let N = uniforms.outShape.z;
  let hd = uniforms.outShape.w;
  if (index >= uniforms.outShape.x * H * N * hd) { return; }
  let e = index % hd;
  let n = (index / hd) % N;
  let j = (index / (hd * N)) % H;
  let b = index / (hd * N * H);
  result[index] = Qkv[(b * N + n) * uniforms.qkvShape.z + (uniforms.h0 + j) * hd + e];`, 'h0 : i32,'), [qkv], [{ type: 'int32', data: [h0] }]),
  );
}

function webgpuMerge({ inputs: { dq, dk, dv }, backend, attrs: { heads, kvHeads } }: FusedKernelArgs): tf.TensorInfo {
  const [B, , N, hd] = dq.shape;
  const C = (heads + 2 * kvHeads) * hd;
  return runProgram(backend, new FlowProgram('flowMergeHeads', ['Dq', 'Dk', 'Dv'], [B, N, C], B * N * C, `
  let N = uniforms.outShape.y;
  let C = uniforms.outShape.z;
  if (index >= uniforms.outShape.x * N * C) { return; }
  let H = uniforms.dqShape.y;
  let G = uniforms.dkShape.y;
  let hd = uniforms.dqShape.w;
  let c = index % C;
  let n = (index / C) % N;
  let b = index / (C * N);
  let head = c / hd;
  let e = c % hd;
  if (head < H) {
    result[index] = Dq[((b * H + head) * N + n) * hd + e];
  } else if (head < H + G) {
    result[index] = Dk[((b * G + head - H) * N + n) * hd + e];
  } else {
    result[index] = Dv[((b * G + head - H - G) * N + n) * hd + e];
  }`), [dq, dk, dv]);
}

// A kernel gradient rather than tf.customGrad, which allows one output only. Unused outputs get zeros.
const registerKernels = fusedKernels([SPLIT_HEADS, MERGE_HEADS], { wasm: [wasmSplit, wasmMerge], webgpu: [webgpuSplit, webgpuMerge] }, () =>
  tf.registerGradient({
    kernelName: SPLIT_HEADS,
    gradFunc: (dys, _saved, attrs) => {
      const [dq, dk, dv] = dys as tf.Tensor[];
      const a = attrs as unknown as Record<string, number>;
      return { qkv: () => runFused<tf.Tensor>(MERGE_HEADS, { dq, dk, dv }, { heads: a.heads, kvHeads: a.kvHeads }) };
    },
  }),
);
