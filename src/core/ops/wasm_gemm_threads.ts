// Two threads for the wasm GEMM. tfjs-wasm runs on one thread (its threaded build hangs in our bundled
// worker), so a large product is split in two: a helper worker takes half of the batch entries, rows or
// columns (the split is chosen in wasm_batch_matmul.ts) while this thread computes the other half. Both run
// the same GEMM module, so every element is summed in the same order as on one thread: the results are equal
// bit for bit.
// In place: at start-up tfjs's heap is made a shared memory (wasm_shared_heap.ts), and the helper computes
// its half directly on it, from the same operands into the same output. Where that is not possible, the
// helper works on a shared scratch memory of its own: its operands are copied in and its part of C copied
// back. Those copies cost O(MK + KN + MN) against O(MKN) multiply-adds, so then only products above
// MIN_INTENSITY go this way; in place, only the MIN_FLOPS bar applies.
// This thread waits with Atomics.wait: call it from a worker or from Node, never from a page's main thread.
// The environment starts the helper (src/cli/gemm_helper_node.ts in Node, src/worker/gemm_helper.ts in the
// browser's training worker): core code has no Worker of its own.

import { GEMM_KINDS, KC, NC, type GemmKind } from './wasm_gemm';

/** Products below this many floating-point operations stay on one thread. */
export const MIN_FLOPS = 4e6;
/**
 * Nor do products with fewer operations per float of A, B and C than this: the copies would eat the gain
 * (attention's batched 49×16·16×49 products ran slower on two threads; the projections run 1.5–1.9× faster).
 */
export const MIN_INTENSITY = 48;

// ctrl: Int32 words at byte 0 of the scratch memory.
const SEQ = 0; // job number, bumped by this thread
const DONE = 1; // last job the helper finished
const P = 2; // parameters: pa, pb, pc, pbias, M, K, N, sAi, sAk, sBk, sCi, kc, count, sAb, sBb, sCb, pw
const CTRL_BYTES = 128;
const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB of address space, reserved not committed
const SPIN_MS = 2; // the helper spins this long after a job before it sleeps
const WAIT_SPIN_MS = 50; // this thread spins this long for the helper's share before it sleeps

/**
 * The helper's loop, as source (a worker is started from text): run jobs until SEQ goes negative.
 * `count` products of the same shape, base pointers advancing by sAb, sBb, sCb.
 */
export const helperLoopSource = (ctrlAt: number) => `function run(module, memory) {
  const g = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctrl = new Int32Array(memory.buffer, ${ctrlAt}, 32);
  let seen = 0;
  for (;;) {
    // Spin a little before sleeping: a training step sends products milliseconds apart, and waking a
    // sleeping thread can cost as much as a small product.
    const until = performance.now() + ${SPIN_MS};
    while (Atomics.load(ctrl, ${SEQ}) === seen && performance.now() < until);
    Atomics.wait(ctrl, ${SEQ}, seen);
    seen = Atomics.load(ctrl, ${SEQ});
    if (seen < 0) return;
    const p = ${P};
    const pa = ctrl[p], pb = ctrl[p + 1], pc = ctrl[p + 2], pbias = ctrl[p + 3], M = ctrl[p + 4], K = ctrl[p + 5], N = ctrl[p + 6];
    const sAi = ctrl[p + 7], sAk = ctrl[p + 8], sBk = ctrl[p + 9], sCi = ctrl[p + 10], kc = ctrl[p + 11], count = ctrl[p + 12], sAb = ctrl[p + 13], sBb = ctrl[p + 14], sCb = ctrl[p + 15], pw = ctrl[p + 16];
    for (let i = 0; i < count; i++) g.gemm(pa + i * sAb, pb + i * sBb, pc + i * sCb, pbias, M, K, N, sAi, sAk, sBk, sCi, kc, pw);
    Atomics.store(ctrl, ${DONE}, seen);
    Atomics.notify(ctrl, ${DONE});
  }
}`;

/** Starts a helper running helperLoopSource's `run(module, memory)`; resolves once it has the memory. */
export type SpawnGemmHelper = (init: { module: WebAssembly.Module; memory: WebAssembly.Memory }, loopSource: string) => Promise<{ terminate(): void }>;

interface Pool {
  memory: WebAssembly.Memory;
  /** The helper works on tfjs's heap itself (made shared, see wasm_shared_heap.ts): nothing is copied. */
  inPlace: boolean;
  /** In place: the helper's own packing workspace on the heap (bytes). */
  workspace: number;
  ctrl: Int32Array;
  seq: number;
  helper: { terminate(): void };
}

let pool: Pool | null = null;
let enabled = true;
let minFlops = MIN_FLOPS;
let minIntensity = MIN_INTENSITY;

/** tfjs's heap, when it is a shared memory, and its allocator: the helper then computes in place on it. */
export interface SharedHeap {
  memory: WebAssembly.Memory;
  malloc(bytes: number): number;
}

/**
 * Starts the helper with the fastest GEMM kind this engine validates; false where shared memory or
 * Atomics.wait are missing (then every product stays on one thread). With `heap` shared, the helper runs on
 * it (its control words and workspace allocated there); otherwise on a scratch memory of its own.
 */
export async function startGemmHelper(spawn: SpawnGemmHelper, heap?: SharedHeap): Promise<boolean> {
  if (pool) return true;
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  const inPlace = !!heap && heap.memory.buffer instanceof SharedArrayBuffer;
  let memory: WebAssembly.Memory;
  let ctrlAt = 0;
  let workspace = 0;
  if (inPlace) {
    memory = heap!.memory;
    ctrlAt = heap!.malloc(CTRL_BYTES) >>> 0;
    workspace = heap!.malloc(4 * KC * NC) >>> 0;
    new Int32Array(memory.buffer, ctrlAt, CTRL_BYTES >>> 2).fill(0); // malloc'd memory is not cleared: SEQ must start at 0
  } else {
    try {
      memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    } catch {
      return false;
    }
  }
  for (const kind of Object.keys(GEMM_KINDS) as GemmKind[]) {
    const bytes = GEMM_KINDS[kind](true);
    if (!WebAssembly.validate(bytes as BufferSource)) continue;
    const module = new WebAssembly.Module(bytes as BufferSource);
    const helper = await spawn({ module, memory }, helperLoopSource(ctrlAt));
    pool = { memory, inPlace, workspace, ctrl: new Int32Array(memory.buffer, ctrlAt, 32), seq: 0, helper };
    return true;
  }
  return false;
}

/** Whether the helper computes in place on tfjs's heap (shared), with no copies. */
export function gemmHelperInPlace(): boolean {
  return pool?.inPlace ?? false;
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
export function useGemmThreads(on: boolean, from: { flops?: number; intensity?: number } = {}): void {
  enabled = on;
  minFlops = from.flops ?? MIN_FLOPS;
  minIntensity = from.intensity ?? MIN_INTENSITY;
}

/** Whether a product of `flops` operations on `moved` floats (A, B and C) goes to two threads. */
export function gemmThreadsFor(flops: number, moved: number): boolean {
  return gemmHelperRunning() && flops >= minFlops && (pool!.inPlace || flops >= minIntensity * moved);
}

/** Whether a helper runs and the two-thread path is on (the backend report says 2 threads then). */
export function gemmHelperRunning(): boolean {
  return pool !== null && enabled;
}

/** Products the helper has taken a share of (tests check the path ran). */
export function gemmThreadJobs(): number {
  return pool?.seq ?? 0;
}

/** A block of floats on tfjs's heap: `rows` runs of `cols` floats, `stride` floats apart, from `at`. */
export interface Block {
  at: number;
  rows: number;
  cols: number;
  stride: number;
}

const floats = (b: Block) => b.rows * b.cols;

function gather(dst: Float32Array, to: number, src: Float32Array, b: Block): void {
  if (b.cols === b.stride) dst.set(src.subarray(b.at, b.at + floats(b)), to);
  else for (let r = 0; r < b.rows; r++) dst.set(src.subarray(b.at + r * b.stride, b.at + r * b.stride + b.cols), to + r * b.cols);
}

function scatter(dst: Float32Array, src: Float32Array, from: number, b: Block): void {
  if (b.cols === b.stride) dst.set(src.subarray(from, from + floats(b)), b.at);
  else for (let r = 0; r < b.rows; r++) dst.set(src.subarray(from + r * b.cols, from + (r + 1) * b.cols), b.at + r * b.stride);
}

/**
 * The helper's share of a product as the GEMM's own arguments on tfjs's heap (bytes): `count` products of one
 * shape from pa, pb, pc, advancing by sAb, sBb (0 broadcasts) and sCb.
 */
export interface HelperShare {
  pa: number;
  pb: number;
  pc: number;
  pbias: number;
  M: number;
  K: number;
  N: number;
  sAi: number;
  sAk: number;
  sBk: number;
  sCi: number;
  kc: number;
  count: number;
  sAb: number;
  sBb: number;
  sCb: number;
  /** Whether the GEMM packs B (the helper then needs a workspace of kc·NC floats). */
  pack: boolean;
}

/**
 * Where a share's operands and result lie on tfjs's heap, for the copying path: they are copied into the
 * scratch memory packed (rows `cols` apart there), and C back to `c`.
 */
export interface ShareBlocks {
  heap: Float32Array;
  a: Block;
  b: Block;
  bias: Block | null;
  c: Block;
}

/**
 * Runs `share` on the helper while this thread runs `mine` (its own share, in place on tfjs's heap). In place
 * the helper reads and writes tfjs's heap itself; otherwise only its operands (`blocks()`, asked for only
 * then) are copied to its scratch memory and only its part of C comes back.
 */
export function gemmTwoThreads(share: HelperShare, mine: () => void, blocks: () => ShareBlocks): void {
  const p = pool!;
  const { pa, pb, pc, pbias, M, K, N, sAi, sAk, sBk, sCi, kc, count, sAb, sBb, sCb, pack } = share;
  if (p.inPlace) {
    run(p, [pa, pb, pc, pbias, M, K, N, sAi, sAk, sBk, sCi, kc, count, sAb, sBb, sCb, pack ? p.workspace : 0], mine);
    return;
  }
  const copy = blocks();
  const align = (n: number) => (n + 15) & ~15; // floats: 64-byte aligned blocks
  const pw = CTRL_BYTES >>> 2;
  const a = align(pw + (pack ? kc * NC : 0));
  const b = align(a + floats(copy.a));
  const bias = align(b + floats(copy.b));
  const c = align(bias + (copy.bias ? floats(copy.bias) : 0));
  const end = 4 * (c + floats(copy.c));
  const have = p.memory.buffer.byteLength;
  if (end > have) p.memory.grow(Math.ceil((end - have) / PAGE));
  const f32 = new Float32Array(p.memory.buffer);
  gather(f32, a, copy.heap, copy.a);
  gather(f32, b, copy.heap, copy.b);
  if (copy.bias) gather(f32, bias, copy.heap, copy.bias);
  // the copies are packed: B and C rows N floats apart, C entries M·N apart; A keeps its strides
  run(p, [4 * a, 4 * b, 4 * c, copy.bias ? 4 * bias : 0, M, K, N, sAi, sAk, 4 * N, 4 * N, kc, count, sAb, sBb, 4 * M * N, pack ? 4 * pw : 0], mine);
  scatter(copy.heap, new Float32Array(p.memory.buffer), c, copy.c);
}

/** Posts a job's parameters to the helper, runs `mine`, and waits for the helper. */
function run(p: Pool, params: number[], mine: () => void): void {
  for (let i = 0; i < params.length; i++) p.ctrl[P + i] = params[i];
  const seq = ++p.seq;
  Atomics.store(p.ctrl, SEQ, seq);
  Atomics.notify(p.ctrl, SEQ);
  mine();
  // Our share is usually done first: spin (this thread has nothing else to do), then sleep.
  const until = performance.now() + WAIT_SPIN_MS;
  while (Atomics.load(p.ctrl, DONE) !== seq && performance.now() < until);
  for (let done = Atomics.load(p.ctrl, DONE); done !== seq; done = Atomics.load(p.ctrl, DONE)) Atomics.wait(p.ctrl, DONE, done);
}
