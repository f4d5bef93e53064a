// Attention bench: memory and time of one forward + backward pass for each attention variant
// and sequence length, on one tfjs backend.
//
//   npm run bench -- attention …            (through the bench dispatcher), or directly:
//   npx tsx src/cli/bench_attention.ts --backend wasm [--lengths 64,256,1024,4096] [--json] [--no-stack]
// WebGPU in Node needs Dawn's environment set when Node starts:
//   LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx …
//
// What one step is: out = attention(q, k, v); loss = Σ out ⊙ W; gradients w.r.t. q, k, v.
// With `stack`, also a depth-8 "transformer-like" stack (x → x + Wo·attention(Wq x, Wk x, Wv x),
// eight times, gradients w.r.t. x and all weights), where naive attention keeps one score
// matrix per layer for the backward pass.
//
// Columns:
//   peakBytes     tf.profile(step).peakBytes: the most tensor bytes alive at once (tfjs engine
//                 accounting, all backends), including the step's inputs.
//   peakAbove     peakBytes minus the bytes alive before the step (the step's own footprint).
//                 Note that tfjs counts every live tensor handle, so views (reshape, the clones
//                 customGrad saves) count again although they share a buffer.
//   bufferPeak    most bytes in distinct data buffers allocated during the step and alive at
//                 once (views counted once): the real footprint above the inputs, all backends.
//   gpuPeakBytes  WebGPU only: most GPU buffer bytes in use during the step minus before,
//                 sampled at every buffer allocation — includes buffers whose release tfjs
//                 defers until the queued work is submitted.
//   wallMs        median wall time of the step, including a download of one number to wait
//                 for the device.
//   kernelMs      WebGPU only, where timestamp queries exist: summed GPU kernel time (tf.time).
import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { attention, resolveAttention, type AttentionKind } from '../core/attention';
import { Rng } from '../core/rng';

export interface BenchAttentionOptions {
  print?: boolean; // print the rows (default on; `npm run bench` prints them itself)
  backend: string;
  lengths?: number[];
  json?: boolean;
  /** Defaults B = 1, H = 4, kvHeads = H, d = 32. */
  B?: number;
  H?: number;
  kvHeads?: number;
  d?: number;
  kinds?: AttentionKind[];
  blockSize?: number;
  /** Also bench a depth-8 stack at these lengths (default [256, 1024]; [] to skip). */
  stackLengths?: number[];
  stackDepth?: number;
  /** Timed repetitions (median reported); fewer when one step takes longer than ~20 s. */
  repeats?: number;
  /** Skip a configuration whose estimated naive footprint exceeds this (default by backend). */
  maxBytes?: number;
  /** Print progress lines to stderr. */
  verbose?: boolean;
}

export interface Row {
  backend: string;
  variant: AttentionKind;
  ran: AttentionKind; // what actually ran (flash → chunked off WebGPU)
  exact: boolean;
  depth: number; // 1 = one attention call; 8 = the transformer-like stack
  B: number;
  H: number;
  kvHeads: number;
  N: number;
  d: number;
  blockSize?: number;
  status: 'ok' | 'skipped' | 'error';
  note?: string;
  peakBytes?: number;
  peakAbove?: number;
  bufferPeak?: number;
  gpuPeakBytes?: number;
  wallMs?: number;
  wallMsAll?: number[];
  kernelMs?: number;
  /** peakBytes / naive's peakBytes at the same N and depth (when naive ran). */
  peakRatio?: number;
  /** peakAbove / naive's peakAbove. */
  peakAboveRatio?: number;
  bufferPeakRatio?: number;
  gpuPeakRatio?: number;
  wallRatio?: number;
}

interface GpuMeter {
  start(): void;
  stop(): number;
}

/** Peak of the WebGPU buffer manager's bytes in use, sampled at each allocation. */
function gpuMeter(): GpuMeter | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const bm = (tf.backend() as unknown as { bufferManager: { numBytesUsed: number; acquireBuffer: (...a: unknown[]) => unknown } }).bufferManager;
  const original = bm.acquireBuffer;
  let base = 0;
  let peak = 0;
  return {
    start() {
      base = bm.numBytesUsed;
      peak = base;
      bm.acquireBuffer = function (this: unknown, ...a: unknown[]) {
        const r = original.apply(this, a);
        peak = Math.max(peak, bm.numBytesUsed);
        return r;
      };
    },
    stop() {
      bm.acquireBuffer = original;
      return peak - base;
    },
  };
}

/**
 * Peak bytes of distinct data buffers created and alive at once while it runs, by watching
 * the engine's dataId registry (one entry per buffer, however many tensors view it).
 */
function bufferMeter(): GpuMeter {
  const map = (tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { bytes: number }> } }).state.tensorInfo;
  const own = map as unknown as { set?: unknown; delete?: unknown };
  let current = 0;
  let peak = 0;
  return {
    start() {
      current = 0;
      peak = 0;
      own.set = function (key: object, value: { bytes: number }) {
        if (!map.has(key)) {
          current += value.bytes;
          peak = Math.max(peak, current);
        }
        return WeakMap.prototype.set.call(map, key, value);
      };
      own.delete = function (key: object) {
        if (map.has(key)) current -= map.get(key)!.bytes;
        return WeakMap.prototype.delete.call(map, key);
      };
    },
    stop() {
      delete own.set;
      delete own.delete;
      return peak;
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Setup {
  inputs: tf.Tensor[];
  step: () => tf.Tensor[];
}

/** One attention call: inputs q, k, v, W; step → [dq, dk, dv]. */
function singleSetup(kind: AttentionKind, B: number, H: number, Hkv: number, N: number, d: number, blockSize: number | undefined, rng: Rng): Setup {
  const q = tf.tensor4d(rng.normals(B * H * N * d), [B, H, N, d]);
  const k = tf.tensor4d(rng.normals(B * Hkv * N * d), [B, Hkv, N, d]);
  const v = tf.tensor4d(rng.normals(B * Hkv * N * d), [B, Hkv, N, d]);
  const w = tf.tensor4d(rng.normals(B * H * N * d), [B, H, N, d]);
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(attention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, { kind, blockSize }), w));
  return { inputs: [q, k, v, w], step: () => tf.grads(f)([q, k, v]) };
}

/** Depth-`depth` residual attention stack on x [B, N, C = H·d]; step → grads w.r.t. x and weights. */
function stackSetup(kind: AttentionKind, B: number, H: number, Hkv: number, N: number, d: number, depth: number, blockSize: number | undefined, rng: Rng): Setup {
  const C = H * d;
  const x = tf.tensor3d(rng.normals(B * N * C), [B, N, C]);
  const w = tf.tensor3d(rng.normals(B * N * C), [B, N, C]);
  const init = (rows: number, cols: number) => tf.tensor2d(rng.normals(rows * cols).map((z) => z / Math.sqrt(rows)), [rows, cols]);
  const weights: tf.Tensor2D[] = [];
  for (let l = 0; l < depth; l++) weights.push(init(C, (H + 2 * Hkv) * d), init(C, C));
  const heads = (t: tf.Tensor, h: number) => tf.transpose(tf.reshape(t, [B, N, h, d]), [0, 2, 1, 3]) as tf.Tensor4D;
  const f = (...args: tf.Tensor[]) => {
    let h = args[0] as tf.Tensor3D;
    for (let l = 0; l < depth; l++) {
      const [wqkv, wo] = [args[1 + 2 * l], args[2 + 2 * l]] as tf.Tensor2D[];
      const qkv = tf.reshape(tf.matMul(tf.reshape(h, [B * N, C]), wqkv), [B, N, (H + 2 * Hkv) * d]);
      const [q, k, v] = tf.split(qkv, [H * d, Hkv * d, Hkv * d], 2);
      const o = attention(heads(q, H), heads(k, Hkv), heads(v, Hkv), { kind, blockSize });
      const merged = tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [B * N, C]);
      h = tf.add(h, tf.reshape(tf.matMul(merged, wo), [B, N, C])) as tf.Tensor3D;
    }
    return tf.sum(tf.mul(h, w));
  };
  return { inputs: [x, w, ...weights], step: () => tf.grads(f)([x, ...weights]) };
}

async function settle(ts: tf.Tensor[]): Promise<void> {
  // Pairwise adds, not addN: tfjs-webgpu's AddN binds one buffer per input and exceeds the
  // 8-storage-buffer limit for the stack's 17 gradients.
  const s = tf.tidy(() => ts.map((t) => tf.sum(t)).reduce((a, b) => tf.add(a, b)));
  await s.data();
  s.dispose();
}

async function measure(setup: Setup, repeats: number, gpuTimer: boolean): Promise<Pick<Row, 'peakBytes' | 'peakAbove' | 'bufferPeak' | 'gpuPeakBytes' | 'wallMs' | 'wallMsAll' | 'kernelMs'>> {
  // Warm-up: kernel registration, shader compilation, buffer pools.
  let g = setup.step();
  await settle(g);
  tf.dispose(g);

  const wall: number[] = [];
  let spent = 0;
  for (let r = 0; r < repeats && (r === 0 || spent < 20_000); r++) {
    const t0 = performance.now();
    g = setup.step();
    await settle(g);
    const dt = performance.now() - t0;
    tf.dispose(g);
    wall.push(dt);
    spent += dt;
  }

  const meter = gpuMeter();
  const buffers = bufferMeter();
  await settle([tf.scalar(0)]); // flush pending releases before measuring the GPU baseline
  const before = tf.memory().numBytes;
  meter?.start();
  buffers.start();
  let info: Awaited<ReturnType<typeof tf.profile>>;
  let bufferPeak: number;
  try {
    info = await tf.profile(async () => {
      const grads = setup.step();
      await settle(grads);
      tf.dispose(grads);
    });
  } finally {
    bufferPeak = buffers.stop();
  }
  const gpuPeakBytes = meter?.stop();

  let kernelMs: number | undefined;
  if (gpuTimer) {
    const t = await tf.time(() => {
      tf.dispose(setup.step());
    });
    kernelMs = typeof t.kernelMs === 'number' ? t.kernelMs : undefined;
  }
  return { peakBytes: info.peakBytes, peakAbove: info.peakBytes - before, bufferPeak, gpuPeakBytes, wallMs: median(wall), wallMsAll: wall, kernelMs };
}

async function useBackend(name: string): Promise<void> {
  if (tf.getBackend() === name) return; // already set up by the caller
  const { setupBackend } = await import('./node_env');
  try {
    await setupBackend(name);
  } catch (e) {
    const hint = name === 'webgpu' ? '; in Node, start it with LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (Dawn on SwiftShader)' : '';
    throw new Error(`backend ${name}: ${(e as Error).message}${hint}`);
  }
  if (tf.getBackend() !== name) throw new Error(`backend ${name}: tfjs chose '${tf.getBackend()}' instead`);
}

/** Rough bytes naive attention needs for one step: ~5 score-sized tensors per layer alive at the peak. */
const naiveEstimate = (B: number, H: number, N: number, depth: number) => 4 * B * H * N * N * (depth + 4);

function defaultMaxBytes(backend: string): number {
  if (backend === 'webgpu') return 2 ** 31;
  if (backend === 'wasm') return 2 ** 31; // the wasm heap tops out at 2–4 GiB
  return 2 ** 32;
}

/** Bench every variant at every length (and the stack); prints a table or JSON; returns the rows. */
export async function benchAttention(opts: BenchAttentionOptions): Promise<Row[]> {
  await useBackend(opts.backend);
  const backend = tf.getBackend();
  const B = opts.B ?? 1;
  const H = opts.H ?? 4;
  const Hkv = opts.kvHeads ?? H;
  const d = opts.d ?? 32;
  const kinds = opts.kinds ?? (['naive', 'chunked', 'flash', 'linear'] as AttentionKind[]);
  const lengths = opts.lengths ?? [64, 256, 1024, 4096];
  const stackLengths = opts.stackLengths ?? [256, 1024];
  const depth = opts.stackDepth ?? 8;
  const repeats = opts.repeats ?? 3;
  const maxBytes = opts.maxBytes ?? defaultMaxBytes(backend);
  const gpuTimer = backend === 'webgpu' && Boolean((tf.backend() as unknown as { supportTimestampQuery?: boolean }).supportTimestampQuery);
  const maxBinding = backend === 'webgpu' ? (tf.backend() as unknown as { device: GPUDevice }).device.limits.maxStorageBufferBindingSize : Infinity;
  const log = (s: string) => opts.verbose && process.stderr.write(s + '\n');
  const rows: Row[] = [];

  const plan: [number, number][] = [...lengths.map((N) => [N, 1] as [number, number]), ...stackLengths.map((N) => [N, depth] as [number, number])];
  for (const [N, layers] of plan) {
    for (const kind of kinds) {
      const r = resolveAttention(kind, backend, d);
      const row: Row = { backend, variant: kind, ran: r.kind, exact: r.exact, depth: layers, B, H, kvHeads: Hkv, N, d, blockSize: opts.blockSize, status: 'ok', note: r.note };
      rows.push(row);
      if (r.kind === 'naive') {
        const est = naiveEstimate(B, H, N, layers);
        const scores = 4 * B * H * N * N;
        if (est > maxBytes) {
          Object.assign(row, { status: 'skipped', note: `naive would need ~${(est / 2 ** 20).toFixed(0)} MiB (limit ${(maxBytes / 2 ** 20).toFixed(0)} MiB)` });
          continue;
        }
        if (scores > maxBinding) {
          Object.assign(row, { status: 'skipped', note: `the ${(scores / 2 ** 20).toFixed(0)} MiB score matrix exceeds this device's max storage buffer binding (${(maxBinding / 2 ** 20).toFixed(0)} MiB)` });
          continue;
        }
      }
      log(`${backend} ${kind}${r.kind !== kind ? `→${r.kind}` : ''} N=${N} depth=${layers} …`);
      const rng = new Rng(1234 + N);
      let setup: Setup | null = null;
      try {
        setup = layers === 1 ? singleSetup(kind, B, H, Hkv, N, d, opts.blockSize, rng) : stackSetup(kind, B, H, Hkv, N, d, layers, opts.blockSize, rng);
        Object.assign(row, await measure(setup, repeats, gpuTimer));
        log(`  ${JSON.stringify(row)}`);
      } catch (e) {
        Object.assign(row, { status: 'error', note: (e as Error).message.slice(0, 300) });
      } finally {
        if (setup) tf.dispose(setup.inputs);
      }
    }
  }

  for (const row of rows) {
    const base = rows.find((r) => r.N === row.N && r.depth === row.depth && r.variant === 'naive' && r.status === 'ok');
    if (!base || row.status !== 'ok') continue;
    row.peakRatio = row.peakBytes! / base.peakBytes!;
    row.peakAboveRatio = row.peakAbove! / base.peakAbove!;
    row.bufferPeakRatio = row.bufferPeak! / base.bufferPeak!;
    if (row.gpuPeakBytes !== undefined && base.gpuPeakBytes) row.gpuPeakRatio = row.gpuPeakBytes / base.gpuPeakBytes;
    row.wallRatio = row.wallMs! / base.wallMs!;
  }

  if (opts.print !== false) console.log(opts.json ? JSON.stringify(rows, null, 2) : formatTable(rows));
  return rows;
}

const mib = (x?: number) => (x === undefined ? '' : (x / 2 ** 20).toFixed(2));
const fix = (x: number | undefined, digits: number) => (x === undefined ? '' : x.toFixed(digits));

export function formatTable(rows: Row[]): string {
  const head = ['backend', 'variant', 'ran', 'depth', 'B', 'H/kv', 'N', 'd', 'peak MiB', 'above MiB', 'buffers MiB', 'gpu MiB', 'wall ms', 'kernel ms', 'peak/naive', 'above/naive', 'buffers/naive', 'gpu/naive', 'wall/naive', 'status'];
  const body = rows.map((r) => [
    r.backend, r.variant, r.ran, String(r.depth), String(r.B), `${r.H}/${r.kvHeads}`, String(r.N), String(r.d),
    mib(r.peakBytes), mib(r.peakAbove), mib(r.bufferPeak), mib(r.gpuPeakBytes), fix(r.wallMs, 1), fix(r.kernelMs, 1),
    fix(r.peakRatio, 3), fix(r.peakAboveRatio, 3), fix(r.bufferPeakRatio, 3), fix(r.gpuPeakRatio, 3), fix(r.wallRatio, 2),
    r.status === 'ok' ? 'ok' : `${r.status}: ${r.note ?? ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const notes = [...new Set(rows.filter((r) => r.status === 'ok' && r.note).map((r) => `${r.variant}: ${r.note}`))];
  return [line(head), ...body.map(line), ...notes.map((n) => `note — ${n}`)].join('\n');
}

export function parseBenchAttentionArgs(argv: string[]): BenchAttentionOptions {
  const opts: BenchAttentionOptions = { backend: 'wasm', verbose: true };
  const num = (s: string) => s.split(',').filter(Boolean).map(Number);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--backend') opts.backend = next();
    else if (a === '--lengths') opts.lengths = num(next());
    else if (a === '--stack-lengths') opts.stackLengths = num(next());
    else if (a === '--no-stack') opts.stackLengths = [];
    else if (a === '--json') opts.json = true;
    else if (a === '--kinds') opts.kinds = next().split(',') as AttentionKind[];
    else if (a === '--repeats') opts.repeats = Number(next());
    else if (a === '--block-size') opts.blockSize = Number(next());
    else if (['--B', '--H', '--kv-heads', '--d'].includes(a)) {
      const key = ({ '--B': 'B', '--H': 'H', '--kv-heads': 'kvHeads', '--d': 'd' } as const)[a as '--B'];
      opts[key] = Number(next());
    } else if (a === 'attention') continue;
    else throw new Error(`bench attention: unknown argument '${a}'`);
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  benchAttention(parseBenchAttentionArgs(process.argv.slice(2))).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
