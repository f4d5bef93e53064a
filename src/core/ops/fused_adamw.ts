// The optimizer step of every parameter at once: global gradient norm, clipping, AdamW (Loshchilov & Hutter
// 2019) and the EMA of the weights, written in place into the variables' own memory.
//   ‖g‖ = √Σ g²,  s = min(1, clip / (‖g‖ + 1e-6)),  g ← s·g
//   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  θ ← θ − lr·(m·c1 / (√(v·c2) + ε) + λ·θ),  e ← d·e + (1−d)·θ
// with c1 = 1/(1−β1^k), c2 = 1/(1−β2^k). Unfused this is ≈17 tfjs kernels per parameter tensor; here:
//   wasm:   one SIMD call per tensor (wasm_fused_module.ts: sumsq, adamw), no tfjs kernels at all;
//   webgpu: the gradients, weights, moments and EMA are copied into flat buffers (copyBufferToBuffer, no
//           dispatch), three dispatches (partial sums of g², their total and √, the update), then the results
//           are copied back. ‖g‖ stays on the GPU and comes back as a scalar tensor (read with the metrics).
// Variables whose data another tensor shares (a fresh EMA is a clone of the weights) are given their own
// copy first, so the in-place write changes only them.

import * as tf from '@tensorflow/tfjs';
import { fusedPath, ptr, wasmBackend, wasmFused } from './fused';

export interface OptimizerSlot {
  param: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  ema?: tf.Variable; // the EMA copy of param, updated after it
}

export interface AdamWStepHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number; // 0-based: bias corrections use k = step + 1
  gradClip: number; // 0: no clipping
  emaDecay: number; // used where slots carry an ema
}

/** Bias corrections and the scalars both kernels take, in float32 as tfjs would round them. */
function scalars(h: AdamWStepHyper) {
  const k = h.step + 1;
  return {
    c1: 1 / (1 - Math.pow(h.beta1, k)),
    c2: 1 / (1 - Math.pow(h.beta2, k)),
    omb1: 1 - h.beta1,
    omb2: 1 - h.beta2,
    omed: 1 - h.emaDecay,
  };
}

/** Gives `v` a buffer of its own when its data is shared (copy on write). */
function ownData(v: tf.Variable): void {
  if (tf.engine().backend.refCount(v.dataId) > 1) {
    const copy = tf.tidy(() => tf.mul(v, 1));
    v.assign(copy);
    copy.dispose();
  }
}

function check(slots: OptimizerSlot[], grads: tf.Tensor[]): void {
  if (slots.length !== grads.length) throw new Error(`fusedAdamW: ${slots.length} slots but ${grads.length} gradients`);
  const withEma = slots.filter((s) => s.ema).length;
  if (withEma !== 0 && withEma !== slots.length) throw new Error('fusedAdamW: either every slot has an ema or none');
  slots.forEach((s, i) => {
    for (const t of [s.m, s.v, s.ema, grads[i]]) {
      if (t && t.size !== s.param.size) throw new Error(`fusedAdamW: slot ${i} (${s.param.name}) mixes sizes ${s.param.size} and ${t.size}`);
    }
  });
}

/**
 * One optimizer step in place over all slots, where a fused path exists (wasm, webgpu); returns ‖g‖ before
 * clipping as a scalar tensor, or null (nothing done) on other backends or with fused kernels off.
 */
export function fusedAdamWStep(slots: OptimizerSlot[], grads: tf.Tensor[], h: AdamWStepHyper): tf.Scalar | null {
  const path = fusedPath();
  if (!path) return null;
  check(slots, grads);
  for (const s of slots) for (const v of [s.param, s.m, s.v, s.ema]) if (v) ownData(v);
  return path === 'wasm' ? wasmStep(slots, grads, h) : webgpuStep(slots, grads, h);
}

function wasmStep(slots: OptimizerSlot[], grads: tf.Tensor[], h: AdamWStepHyper): tf.Scalar | null {
  const simd = wasmFused();
  if (!simd) return null;
  const be = wasmBackend(tf.backend());
  let total = 0;
  for (const g of grads) total += simd.sumsq(ptr(be, g), g.size);
  const norm = Math.sqrt(total);
  const scale = h.gradClip > 0 ? Math.min(1, h.gradClip / (norm + 1e-6)) : 1;
  const k = scalars(h);
  slots.forEach((s, i) => {
    const pe = s.ema ? ptr(be, s.ema) : 0;
    simd.adamw(ptr(be, grads[i]), ptr(be, s.param), ptr(be, s.m), ptr(be, s.v), pe, s.param.size, scale, h.lr, h.beta1, k.omb1, h.beta2, k.omb2, k.c1, k.c2, h.eps, h.weightDecay, h.emaDecay, k.omed);
  });
  return tf.scalar(norm);
}

// ---- webgpu ----

const REDUCE_GROUPS = 64;
const WG = 256;

const WGSL = `
struct Hyper {
  n : u32, lr : f32, b1 : f32, omb1 : f32,
  b2 : f32, omb2 : f32, c1 : f32, c2 : f32,
  eps : f32, wd : f32, ed : f32, omed : f32,
  clip : f32, useEma : u32, pad0 : u32, pad1 : u32,
};
@group(0) @binding(0) var<uniform> hyper : Hyper;
@group(0) @binding(1) var<storage, read> G : array<f32>;
@group(0) @binding(2) var<storage, read_write> Partial : array<f32>;
var<workgroup> wsum : array<f32, ${WG}>;

fn reduceShared(lid : u32) {
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (lid < s) { wsum[lid] = wsum[lid] + wsum[lid + s]; }
  }
  workgroupBarrier();
}

// Partial sums of g² over a grid-stride loop, one per workgroup.
@compute @workgroup_size(${WG})
fn partialSums(@builtin(local_invocation_index) lid : u32, @builtin(workgroup_id) wid : vec3<u32>) {
  var acc = 0.0;
  for (var i = wid.x * ${WG}u + lid; i < hyper.n; i = i + ${WG * REDUCE_GROUPS}u) { acc = acc + G[i] * G[i]; }
  wsum[lid] = acc;
  reduceShared(lid);
  if (lid == 0u) { Partial[wid.x] = wsum[0]; }
}
`;

const WGSL_TOTAL = `
@group(0) @binding(0) var<storage, read> Partial : array<f32>;
@group(0) @binding(1) var<storage, read_write> Norm : array<f32>;
var<workgroup> wsum : array<f32, ${REDUCE_GROUPS}>;
@compute @workgroup_size(${REDUCE_GROUPS})
fn total(@builtin(local_invocation_index) lid : u32) {
  wsum[lid] = Partial[lid];
  for (var s = ${REDUCE_GROUPS / 2}u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (lid < s) { wsum[lid] = wsum[lid] + wsum[lid + s]; }
  }
  workgroupBarrier();
  if (lid == 0u) { Norm[0] = sqrt(wsum[0]); }
}
`;

const WGSL_UPDATE = `
struct Hyper {
  n : u32, lr : f32, b1 : f32, omb1 : f32,
  b2 : f32, omb2 : f32, c1 : f32, c2 : f32,
  eps : f32, wd : f32, ed : f32, omed : f32,
  clip : f32, useEma : u32, pad0 : u32, pad1 : u32,
};
@group(0) @binding(0) var<uniform> hyper : Hyper;
@group(0) @binding(1) var<storage, read> G : array<f32>;
@group(0) @binding(2) var<storage, read> Norm : array<f32>;
@group(0) @binding(3) var<storage, read_write> P : array<f32>;
@group(0) @binding(4) var<storage, read_write> M : array<f32>;
@group(0) @binding(5) var<storage, read_write> V : array<f32>;
@group(0) @binding(6) var<storage, read_write> E : array<f32>;
@compute @workgroup_size(${WG})
fn update(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nw : vec3<u32>) {
  let i = gid.x + gid.y * nw.x * ${WG}u;
  if (i >= hyper.n) { return; }
  var scale = 1.0;
  if (hyper.clip > 0.0) { scale = min(1.0, hyper.clip / (Norm[0] + 1e-6)); }
  let g = G[i] * scale;
  let m = M[i] * hyper.b1 + g * hyper.omb1;
  let v = V[i] * hyper.b2 + g * g * hyper.omb2;
  M[i] = m;
  V[i] = v;
  let p = P[i] - (m * hyper.c1 / (sqrt(v * hyper.c2) + hyper.eps) + P[i] * hyper.wd) * hyper.lr;
  P[i] = p;
  if (hyper.useEma != 0u) { E[i] = E[i] * hyper.ed + p * hyper.omed; }
}
`;

interface GpuState {
  partial: GPUComputePipeline;
  total: GPUComputePipeline;
  update: GPUComputePipeline;
  partialBuf: GPUBuffer;
  flat: { size: number; bufs: GPUBuffer[] } | null; // G, P, M, V, E
}

const states = new WeakMap<GPUDevice, GpuState>();

function gpuState(device: GPUDevice): GpuState {
  let s = states.get(device);
  if (!s) {
    const pipe = (code: string, entryPoint: string) => device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint } });
    s = {
      partial: pipe(WGSL, 'partialSums'),
      total: pipe(WGSL_TOTAL, 'total'),
      update: pipe(WGSL_UPDATE, 'update'),
      partialBuf: device.createBuffer({ size: REDUCE_GROUPS * 4, usage: GPUBufferUsage.STORAGE }),
      flat: null,
    };
    states.set(device, s);
  }
  return s;
}

/** The flat staging buffers for `n` parameters (kept per device; grown when a larger model comes). */
function flatBuffers(device: GPUDevice, s: GpuState, n: number): GPUBuffer[] {
  if (!s.flat || s.flat.size < n) {
    s.flat?.bufs.forEach((b) => b.destroy());
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    s.flat = { size: n, bufs: Array.from({ length: 5 }, () => device.createBuffer({ size: Math.max(4, n * 4), usage })) };
  }
  return s.flat.bufs;
}

interface WebGPUInternals {
  device: GPUDevice;
  tensorMap: { get(id: object): { resource: GPUBuffer } };
  commandEncoder: GPUCommandEncoder;
  commandQueueOwnedIds: WeakSet<object>;
  uniformPendingDisposal: GPUBuffer[];
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer };
  uploadToGPU(id: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  makeTensorInfo(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

function webgpuStep(slots: OptimizerSlot[], grads: tf.Tensor[], h: AdamWStepHyper): tf.Scalar {
  const be = tf.backend() as unknown as WebGPUInternals;
  const device = be.device;
  const st = gpuState(device);
  const n = slots.reduce((a, s) => a + s.param.size, 0);
  const [G, P, M, V, E] = flatBuffers(device, st, n);
  const useEma = !!slots[0]?.ema;
  const buffer = (t: tf.Tensor) => {
    be.uploadToGPU(t.dataId);
    be.commandQueueOwnedIds.add(t.dataId);
    return be.tensorMap.get(t.dataId).resource;
  };
  const normInfo = be.makeTensorInfo([], 'float32');
  be.uploadToGPU(normInfo.dataId);
  be.commandQueueOwnedIds.add(normInfo.dataId);
  const normBuf = be.tensorMap.get(normInfo.dataId).resource;

  const k = scalars(h);
  const hyper = new ArrayBuffer(64);
  new Uint32Array(hyper, 0, 1)[0] = n;
  new Float32Array(hyper, 4, 12).set([h.lr, h.beta1, k.omb1, h.beta2, k.omb2, k.c1, k.c2, h.eps, h.weightDecay, h.emaDecay, k.omed, h.gradClip]);
  new Uint32Array(hyper, 52, 1)[0] = useEma ? 1 : 0;
  const uniform = be.bufferManager.acquireBuffer(64, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(uniform, 0, hyper);
  be.uniformPendingDisposal.push(uniform);

  be.ensureCommandEncoderReady();
  be.endComputePassEncoder();
  const enc = be.commandEncoder;
  const gather = (flat: GPUBuffer, ts: tf.Tensor[], back: boolean) => {
    let off = 0;
    for (const t of ts) {
      const b = buffer(t);
      if (back) enc.copyBufferToBuffer(flat, off, b, 0, t.size * 4);
      else enc.copyBufferToBuffer(b, 0, flat, off, t.size * 4);
      off += t.size * 4;
    }
  };
  const state: [GPUBuffer, tf.Tensor[]][] = [
    [P, slots.map((s) => s.param)],
    [M, slots.map((s) => s.m)],
    [V, slots.map((s) => s.v)],
    ...(useEma ? [[E, slots.map((s) => s.ema!)] as [GPUBuffer, tf.Tensor[]]] : []),
  ];
  gather(G, grads, false);
  for (const [flat, ts] of state) gather(flat, ts, false);

  const pass = enc.beginComputePass();
  const bind = (pipeline: GPUComputePipeline, resources: GPUBuffer[]) =>
    device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: resources.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  pass.setPipeline(st.partial);
  pass.setBindGroup(0, bind(st.partial, [uniform, G, st.partialBuf]));
  pass.dispatchWorkgroups(REDUCE_GROUPS);
  pass.setPipeline(st.total);
  pass.setBindGroup(0, bind(st.total, [st.partialBuf, normBuf]));
  pass.dispatchWorkgroups(1);
  pass.setPipeline(st.update);
  pass.setBindGroup(0, bind(st.update, [uniform, G, normBuf, P, M, V, E]));
  const groups = Math.ceil(n / WG);
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  pass.dispatchWorkgroups(Math.min(groups, maxX), Math.ceil(groups / maxX));
  pass.end();

  for (const [flat, ts] of state) gather(flat, ts, true);
  return tf.engine().makeTensorFromTensorInfo(normInfo) as tf.Scalar;
}
