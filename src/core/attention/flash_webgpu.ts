// Fused attention kernels in WGSL for the tfjs WebGPU backend (FlashAttention-2 style,
// Dao 2023): three WebGPUPrograms registered as tfjs kernels, tied together by tf.customGrad.
//
//  - forward  (FlowFlashAttention):        one invocation per query row, a workgroup per tile
//    of T rows. Key and value tiles of T rows are staged through workgroup memory; each row
//    keeps its q, its output accumulator and the online-softmax state (running max m and
//    sum l) in registers. Writes O and the log-sum-exp L = m + log l, packed as [BH, M, d+1]
//    because a program has one output buffer.
//  - backward dQ (FlowFlashAttentionGradQ): again one invocation per query row; recomputes
//    each score from q, k and L (P = exp(q·k/√d − L)) and accumulates dQ = Σ dS·K/√d with
//    dS = P·(dO·v − Δ), Δ = rowsum(dO ⊙ O).
//  - backward dK, dV (FlowFlashAttentionGradKV): one invocation per key row, query tiles
//    (q, dO, L, Δ) staged through workgroup memory; dV = Σ P·dO and dK = Σ dS·Q/√d, packed
//    [BH, N, 2d]. Separate kernels for dQ and dK/dV avoid atomics.
// Nothing of size N×N is ever written to memory.
//
// Pipelines are cached by shaderKey, and tfjs's key holds ranks and dtypes but not sizes:
// the head size d, the tile T and everything derived from them (array lengths, 1/√d) are
// WGSL literals here, so all of them are in shaderKey. Sequence lengths and the batch come
// from the shape uniforms tfjs passes to every program (uniforms.qShape, uniforms.kShape).
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const FLASH_FORWARD = 'FlowFlashAttention';
export const FLASH_GRAD_Q = 'FlowFlashAttentionGradQ';
export const FLASH_GRAD_KV = 'FlowFlashAttentionGradKV';

/** Largest head size the kernels accept (q, dO and dQ rows live in registers): see kinds.ts. */
export { FLASH_MAX_HEAD_SIZE } from './kinds';
/** Default tile (rows of Q, K or V per workgroup), shrunk when workgroup memory is short. */
export const FLASH_DEFAULT_TILE = 32;

type Dispatch = [number, number, number];

/** A JS number as a WGSL float literal (always with a decimal point or exponent). */
function f32(x: number): string {
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

// Opening of each program body; tfjs wraps it with buffers, uniforms and a _start() that
// calls main(). Workgroup (x, y) = (tile of rows, batch·head).
const MAIN = `fn main() {
  let bh = i32(workgroupId.y);
  let tid = i32(localId.x);`;

abstract class FlashProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0], z: [2] };
  dispatch: Dispatch;
  workgroupSize: Dispatch;
  abstract variableNames: string[];
  constructor(
    name: string,
    readonly d: number,
    readonly tile: number,
    outputShape: number[],
    rowsPerDispatch: number,
  ) {
    this.outputShape = outputShape;
    this.workgroupSize = [tile, 1, 1];
    this.dispatch = [Math.ceil(rowsPerDispatch / tile), outputShape[0], 1];
    this.shaderKey = `${name}_d${d}_t${tile}`;
  }
  abstract getUserCode(): string;
}

/**
 * Body shared by the two query-row kernels (forward, dQ): one invocation per query row, the
 * workgroup stages each tile of T key and value rows in workgroup memory, then every row runs
 * `perTile` over the `cnt` staged rows; `finish` writes the row's result.
 */
function queryRowKernel(T: number, D: number, setup: string, perTile: string, finish: string): string {
  return `
var<workgroup> kTile : array<f32, ${T * D}>;
var<workgroup> vTile : array<f32, ${T * D}>;

${MAIN}
  let row = i32(workgroupId.x) * ${T} + tid;
  let M = uniforms.qShape.y;
  let N = uniforms.kShape.y;
  let safeRow = min(row, M - 1); // rows past M load valid data, take part in the barriers, write nothing
  let rowBase = (bh * M + safeRow) * ${D};
  let kvBase = bh * N * ${D};
${setup}
  for (var t0 = 0; t0 < N; t0 = t0 + ${T}) {
    let cnt = min(${T}, N - t0);
    for (var e = tid; e < cnt * ${D}; e = e + ${T}) {
      kTile[e] = K[kvBase + t0 * ${D} + e];
      vTile[e] = V[kvBase + t0 * ${D} + e];
    }
    workgroupBarrier();
${perTile}
    workgroupBarrier();
  }
  if (row < M) {
${finish}
  }
}
`;
}

/** Q [BH, M, d], K, V [BH, N, d] → [BH, M, d + 1] (O, then L in the last column). */
class ForwardProgram extends FlashProgram {
  variableNames = ['Q', 'K', 'V'];
  constructor(bh: number, m: number, d: number, tile: number) {
    super('flowFlashFwd', d, tile, [bh, m, d + 1], m);
  }
  getUserCode(): string {
    const { d: D, tile: T } = this;
    const setup = `
  var qr : array<f32, ${D}>;
  var acc : array<f32, ${D}>;
  var sc : array<f32, ${T}>;
  for (var c = 0; c < ${D}; c = c + 1) {
    qr[c] = Q[rowBase + c] * ${f32(1 / Math.sqrt(D))};
    acc[c] = 0.0;
  }
  var m = -3.0e38; // running max of the scores
  var l = 0.0;     // running Σ exp(score − m)`;
    const perTile = `
    var tileMax = m;
    for (var j = 0; j < cnt; j = j + 1) {
      var s = 0.0;
      for (var c = 0; c < ${D}; c = c + 1) {
        s = s + qr[c] * kTile[j * ${D} + c];
      }
      sc[j] = s;
      tileMax = max(tileMax, s);
    }
    let alpha = exp(m - tileMax); // rescales what was summed under the old max
    l = l * alpha;
    for (var c = 0; c < ${D}; c = c + 1) {
      acc[c] = acc[c] * alpha;
    }
    for (var j = 0; j < cnt; j = j + 1) {
      let p = exp(sc[j] - tileMax);
      l = l + p;
      for (var c = 0; c < ${D}; c = c + 1) {
        acc[c] = acc[c] + p * vTile[j * ${D} + c];
      }
    }
    m = tileMax;`;
    const finish = `
    let outBase = (bh * M + row) * ${D + 1};
    let inv = 1.0 / l;
    for (var c = 0; c < ${D}; c = c + 1) {
      result[outBase + c] = acc[c] * inv;
    }
    result[outBase + ${D}] = m + log(l);`;
    return queryRowKernel(T, D, setup, perTile, finish);
  }
}

/** Q, dO [BH, M, d], K, V [BH, N, d], L, Δ [BH, M, 1] → dQ [BH, M, d]. */
class GradQProgram extends FlashProgram {
  variableNames = ['Q', 'K', 'V', 'dO', 'LSE', 'Delta'];
  constructor(bh: number, m: number, d: number, tile: number) {
    super('flowFlashGradQ', d, tile, [bh, m, d], m);
  }
  getUserCode(): string {
    const { d: D, tile: T } = this;
    const scale = f32(1 / Math.sqrt(D));
    const setup = `
  var qr : array<f32, ${D}>;
  var dor : array<f32, ${D}>;
  var dq : array<f32, ${D}>;
  for (var c = 0; c < ${D}; c = c + 1) {
    qr[c] = Q[rowBase + c] * ${scale};
    dor[c] = dO[rowBase + c];
    dq[c] = 0.0;
  }
  let lse = LSE[bh * M + safeRow];
  let delta = Delta[bh * M + safeRow];`;
    const perTile = `
    for (var j = 0; j < cnt; j = j + 1) {
      var s = 0.0;
      var dp = 0.0;
      for (var c = 0; c < ${D}; c = c + 1) {
        s = s + qr[c] * kTile[j * ${D} + c];
        dp = dp + dor[c] * vTile[j * ${D} + c];
      }
      let ds = exp(s - lse) * (dp - delta); // P·(dP − Δ), P recomputed from L
      for (var c = 0; c < ${D}; c = c + 1) {
        dq[c] = dq[c] + ds * kTile[j * ${D} + c];
      }
    }`;
    const finish = `
    let outBase = (bh * M + row) * ${D};
    for (var c = 0; c < ${D}; c = c + 1) {
      result[outBase + c] = dq[c] * ${scale};
    }`;
    return queryRowKernel(T, D, setup, perTile, finish);
  }
}

/** Q, dO [BH, M, d], K, V [BH, N, d], L, Δ [BH, M, 1] → [BH, N, 2d] (dK, then dV). */
class GradKVProgram extends FlashProgram {
  variableNames = ['Q', 'K', 'V', 'dO', 'LSE', 'Delta'];
  constructor(bh: number, n: number, d: number, tile: number) {
    super('flowFlashGradKV', d, tile, [bh, n, 2 * d], n);
  }
  getUserCode(): string {
    const { d: D, tile: T } = this;
    return `
var<workgroup> qTile : array<f32, ${T * D}>;
var<workgroup> doTile : array<f32, ${T * D}>;
var<workgroup> lTile : array<f32, ${T}>;
var<workgroup> deltaTile : array<f32, ${T}>;

${MAIN}
  let key = i32(workgroupId.x) * ${T} + tid;
  let M = uniforms.qShape.y;
  let N = uniforms.kShape.y;
  let kvRow = (bh * N + min(key, N - 1)) * ${D};
  let qBase = bh * M;
  var kr : array<f32, ${D}>;
  var vr : array<f32, ${D}>;
  var dk : array<f32, ${D}>;
  var dv : array<f32, ${D}>;
  for (var c = 0; c < ${D}; c = c + 1) {
    kr[c] = K[kvRow + c];
    vr[c] = V[kvRow + c];
    dk[c] = 0.0;
    dv[c] = 0.0;
  }
  for (var t0 = 0; t0 < M; t0 = t0 + ${T}) {
    let cnt = min(${T}, M - t0);
    for (var e = tid; e < cnt * ${D}; e = e + ${T}) {
      qTile[e] = Q[(qBase + t0) * ${D} + e] * ${f32(1 / Math.sqrt(D))};
      doTile[e] = dO[(qBase + t0) * ${D} + e];
    }
    for (var e = tid; e < cnt; e = e + ${T}) {
      lTile[e] = LSE[qBase + t0 + e];
      deltaTile[e] = Delta[qBase + t0 + e];
    }
    workgroupBarrier();
    for (var i = 0; i < cnt; i = i + 1) {
      var s = 0.0;
      var dp = 0.0;
      for (var c = 0; c < ${D}; c = c + 1) {
        s = s + qTile[i * ${D} + c] * kr[c];
        dp = dp + doTile[i * ${D} + c] * vr[c];
      }
      let p = exp(s - lTile[i]);
      let ds = p * (dp - deltaTile[i]);
      for (var c = 0; c < ${D}; c = c + 1) {
        dv[c] = dv[c] + p * doTile[i * ${D} + c];
        dk[c] = dk[c] + ds * qTile[i * ${D} + c];
      }
    }
    workgroupBarrier();
  }
  if (key < N) {
    let outBase = (bh * N + key) * ${2 * D};
    for (var c = 0; c < ${D}; c = c + 1) {
      result[outBase + c] = dk[c];
      result[outBase + ${D} + c] = dv[c];
    }
  }
}
`;
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function kernel(make: (info: tf.TensorInfo[], tile: number) => FlashProgram, names: string[]) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const info = names.map((n) => inputs[n] as tf.TensorInfo);
    const tile = Number(attrs?.tile);
    const program = make(info, tile);
    return (backend as WebGPUBackend).runWebGPUProgram(program, info, 'float32');
  };
}

let registered = false;

/** Registers the three kernels with tfjs for backend 'webgpu' (idempotent). */
export function registerFlashKernels(): void {
  if (registered) return;
  const qkv = ['Q', 'K', 'V'];
  const all = ['Q', 'K', 'V', 'dO', 'LSE', 'Delta'];
  const specs: [string, (info: tf.TensorInfo[], tile: number) => FlashProgram, string[]][] = [
    [FLASH_FORWARD, ([q], t) => new ForwardProgram(q.shape[0], q.shape[1], q.shape[2], t), qkv],
    [FLASH_GRAD_Q, ([q], t) => new GradQProgram(q.shape[0], q.shape[1], q.shape[2], t), all],
    [FLASH_GRAD_KV, ([q, k], t) => new GradKVProgram(q.shape[0], k.shape[1], q.shape[2], t), all],
  ];
  for (const [kernelName, make, names] of specs) {
    if (!tf.getKernel(kernelName, 'webgpu')) {
      tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: kernel(make, names) as unknown as tf.KernelFunc });
    }
  }
  registered = true;
}

/**
 * Rows per tile for head size d on this device: the kernels stage at most 2·T·d + 2·T floats
 * in workgroup memory and run T invocations per workgroup.
 */
export function flashTile(d: number, requested: number | undefined, limits: { maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number }): number {
  const floats = Math.floor(limits.maxComputeWorkgroupStorageSize / 4);
  const fit = Math.floor(floats / (2 * d + 2));
  const cap = Math.min(fit, limits.maxComputeInvocationsPerWorkgroup, 256);
  return Math.max(1, Math.min(requested ?? FLASH_DEFAULT_TILE, cap));
}

/** Differentiable fused attention on WebGPU: q [BH, M, d], k and v [BH, N, d] → [BH, M, d]. */
export function flashAttention3D(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, tileSize?: number): tf.Tensor3D {
  registerFlashKernels();
  const [BH, M, d] = q.shape;
  const N = k.shape[1];
  const backend = tf.backend() as WebGPUBackend;
  const tile = flashTile(d, tileSize, backend.device.limits);
  const run = (name: string, inputs: tf.NamedTensorMap) => tf.engine().runKernel(name, inputs, { tile }) as tf.Tensor3D;
  const f = tf.customGrad((qq, kk, vv, save) => {
    const packed = run(FLASH_FORWARD, { Q: qq as tf.Tensor, K: kk as tf.Tensor, V: vv as tf.Tensor });
    const o = tf.slice(packed, [0, 0, 0], [BH, M, d]);
    const lse = tf.slice(packed, [0, 0, d], [BH, M, 1]);
    (save as tf.GradSaveFunc)([qq as tf.Tensor, kk as tf.Tensor, vv as tf.Tensor, o, lse]);
    return {
      value: o,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sq, sk, sv, so, slse] = saved;
          const delta = tf.sum(tf.mul(dy, so), -1, true);
          const inputs = { Q: sq, K: sk, V: sv, dO: dy, LSE: slse, Delta: delta };
          const dq = run(FLASH_GRAD_Q, inputs);
          const dkv = run(FLASH_GRAD_KV, inputs);
          return [dq, tf.slice(dkv, [0, 0, 0], [BH, N, d]), tf.slice(dkv, [0, 0, d], [BH, N, d])];
        }),
    };
  });
  return f(q, k, v) as tf.Tensor3D;
}
