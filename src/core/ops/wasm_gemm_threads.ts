// Two threads for the wasm GEMM. tfjs-wasm runs on one thread (its threaded build hangs in our bundled
// worker, and in Node its heap is not shared), so a large product is split in two: a helper worker takes
// half of the batch entries (or half of the rows) on a shared scratch memory, its operands copied in and its
// part of C copied back; this thread computes the other half in place on tfjs's heap meanwhile. Both run the
// same GEMM module, so every element is summed in the same order as on one thread: the results are equal bit
// for bit. The copies cost O(MK + KN + MN) against O(MKN) multiply-adds, so only products above MIN_FLOPS go
// this way.
// The environment starts the helper (src/cli/gemm_helper_node.ts in Node, src/worker/gemm_helper.ts in the
// browser's training worker): core code has no Worker of its own.

import { GEMM_KINDS, type GemmExports, type GemmKind } from './wasm_gemm';

/** Products below this many floating-point operations stay on one thread. */
export const MIN_FLOPS = 4e6;

// ctrl: Int32 words at byte 0 of the scratch memory.
const SEQ = 0; // job number, bumped by this thread
const DONE = 1; // last job the helper finished
const P = 2; // parameters: pa, pb, pc, pbias, M, K, N, sAi, sAk, sBk, kc, count, sAb, sBb, sCb
const CTRL_BYTES = 128;
const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB of address space, reserved not committed

/**
 * The helper's loop, as source (a worker is started from text): run jobs until SEQ goes negative.
 * `count` products of the same shape, base pointers advancing by sAb, sBb, sCb.
 */
export const HELPER_LOOP_SOURCE = `function run(module, memory) {
  const g = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctrl = new Int32Array(memory.buffer, 0, 32);
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, ${SEQ}, seen);
    seen = Atomics.load(ctrl, ${SEQ});
    if (seen < 0) return;
    const p = ${P};
    const pa = ctrl[p], pb = ctrl[p + 1], pc = ctrl[p + 2], pbias = ctrl[p + 3], M = ctrl[p + 4], K = ctrl[p + 5], N = ctrl[p + 6];
    const sAi = ctrl[p + 7], sAk = ctrl[p + 8], sBk = ctrl[p + 9], kc = ctrl[p + 10], count = ctrl[p + 11], sAb = ctrl[p + 12], sBb = ctrl[p + 13], sCb = ctrl[p + 14];
    for (let i = 0; i < count; i++) g.gemm(pa + i * sAb, pb + i * sBb, pc + i * sCb, pbias, M, K, N, sAi, sAk, sBk, kc);
    Atomics.store(ctrl, ${DONE}, seen);
    Atomics.notify(ctrl, ${DONE});
  }
}`;

/** Starts a helper running HELPER_LOOP_SOURCE's `run(module, memory)`; resolves once it has the memory. */
export type SpawnGemmHelper = (init: { module: WebAssembly.Module; memory: WebAssembly.Memory }, loopSource: string) => Promise<{ terminate(): void }>;

interface Pool {
  memory: WebAssembly.Memory;
  gemm: GemmExports;
  ctrl: Int32Array;
  seq: number;
  helper: { terminate(): void };
  kind: GemmKind;
}

let pool: Pool | null = null;
let enabled = true;
let minFlops = MIN_FLOPS;

/**
 * Starts the helper with the fastest GEMM kind this engine validates; false where shared memory or
 * Atomics.wait are missing (then every product stays on one thread).
 */
export async function startGemmHelper(spawn: SpawnGemmHelper): Promise<boolean> {
  if (pool) return true;
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  } catch {
    return false;
  }
  for (const kind of Object.keys(GEMM_KINDS) as GemmKind[]) {
    const bytes = GEMM_KINDS[kind](true);
    if (!WebAssembly.validate(bytes as BufferSource)) continue;
    const module = new WebAssembly.Module(bytes as BufferSource);
    const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
    const helper = await spawn({ module, memory }, HELPER_LOOP_SOURCE);
    pool = { memory, gemm, ctrl: new Int32Array(memory.buffer, 0, 32), seq: 0, helper, kind };
    return true;
  }
  return false;
}

/** Stops the helper (tests; a process exits without it, the helper is unreferenced). */
export function stopGemmHelper(): void {
  if (!pool) return;
  Atomics.store(pool.ctrl, SEQ, -1);
  Atomics.notify(pool.ctrl, SEQ);
  pool.helper.terminate();
  pool = null;
}

/** Turns the two-thread path off or on, and from which size (tests send small products through it). */
export function useGemmThreads(on: boolean, fromFlops = MIN_FLOPS): void {
  enabled = on;
  minFlops = fromFlops;
}

/** Whether a product of `flops` goes to two threads. */
export function gemmThreadsFor(flops: number): boolean {
  return pool !== null && enabled && flops >= minFlops;
}

/** The helper's share of a product: its operands (views of tfjs's heap, copied in) and its shape. */
export interface HelperShare {
  a: Float32Array;
  b: Float32Array;
  bias: Float32Array | null;
  /** Floats of C the helper writes (copied out to `drain`). */
  cFloats: number;
  M: number;
  K: number;
  N: number;
  /** Products of this shape; a, b and C advance by sAb, sBb (bytes; 0 broadcasts) and M·N floats. */
  count: number;
  sAi: number;
  sAk: number;
  sAb: number;
  sBb: number;
  kc: number;
}

/**
 * Runs `share` on the helper while this thread runs `mine` (its share, straight on tfjs's heap), then hands
 * the helper's C to `drain`. Only the helper's operands are copied, and only its part of C comes back.
 */
export function gemmTwoThreads(share: HelperShare, mine: () => void, drain: (c: Float32Array) => void): void {
  const p = pool!;
  const align = (n: number) => (n + 63) & ~63;
  const a = CTRL_BYTES;
  const b = align(a + share.a.byteLength);
  const bias = align(b + share.b.byteLength);
  const c = align(bias + (share.bias?.byteLength ?? 0));
  const end = c + share.cFloats * 4;
  const have = p.memory.buffer.byteLength;
  if (end > have) p.memory.grow(Math.ceil((end - have) / PAGE));
  const f32 = new Float32Array(p.memory.buffer);
  f32.set(share.a, a >>> 2);
  f32.set(share.b, b >>> 2);
  if (share.bias) f32.set(share.bias, bias >>> 2);
  const { M, K, N, count, sAi, sAk, sAb, sBb, kc } = share;
  const params = [a, b, c, share.bias ? bias : 0, M, K, N, sAi, sAk, N * 4, kc, count, sAb, sBb, M * N * 4];
  for (let i = 0; i < params.length; i++) p.ctrl[P + i] = params[i];
  const seq = ++p.seq;
  Atomics.store(p.ctrl, SEQ, seq);
  Atomics.notify(p.ctrl, SEQ);
  mine();
  for (let done = Atomics.load(p.ctrl, DONE); done !== seq; done = Atomics.load(p.ctrl, DONE)) Atomics.wait(p.ctrl, DONE, done);
  drain(new Float32Array(p.memory.buffer, c, share.cFloats));
}

/** Which GEMM kind the helper runs (null without one). */
export function gemmThreadsKind(): GemmKind | null {
  return pool?.kind ?? null;
}
