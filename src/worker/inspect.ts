// Looking inside a run, for the panels: path tables, the first block's attention weights, the learned 2D
// velocity field, and a small in-worker memory/time measurement of the attention variants. Everything
// here owns tfjs tensors and frees them (tidy or dispose) before returning plain typed arrays.

import * as tf from '@tensorflow/tfjs';
import { attention, attentionMap, resolveAttention, type AttentionKind } from '../core/attention';
import { conversionCoefs, fieldDefined, getPath, PATH_NAMES, sampleStart, type PathName } from '../core/flow';
import { ditCondition, patchify } from '../core/model/dit';
import { layerNorm, linear, modulate, silu, type Params } from '../core/model/layers';
import type { Network } from '../core/model';
import { Rng } from '../core/rng';
import type { Trainer } from '../core/train/trainer';
import type { AttentionBench, AttentionBenchRow, ScheduleTables } from './protocol';

/** α, σ and log-SNR of every path at t = 0, 0.01, …, 1 (so the strip's t = 0.1·k are exact grid points). */
export function scheduleTables(points = 101): ScheduleTables {
  const t = Float32Array.from({ length: points }, (_, i) => i / (points - 1));
  const paths = {} as ScheduleTables['paths'];
  for (const name of PATH_NAMES) {
    const p = getPath(name);
    const alpha = new Float32Array(points);
    const sigma = new Float32Array(points);
    const logSnr = new Float32Array(points);
    for (let i = 0; i < points; i++) {
      const c = p.coefs(i / (points - 1));
      alpha[i] = c.alpha;
      sigma[i] = c.sigma;
      logSnr[i] = c.logSnr;
    }
    paths[name as PathName] = { alpha, sigma, logSnr };
  }
  return { t, paths };
}

/**
 * The attention weights of block 0 for one query token, every head: the image is noised to x_t, embedded
 * (patchify → x_embedder + pos_embed), normalised and modulated by the block's adaLN shift/scale, and
 * projected to q, k exactly as the DiT forward does (src/core/model/dit.ts, selfAttention). → [heads, N].
 */
export async function firstBlockAttention(net: Network, params: Params, x0: Float32Array, eps: Float32Array, label: number, t: number, pathName: PathName, query: number, kind: AttentionKind): Promise<{ weights: Float32Array; image: Float32Array }> {
  const s = net.dit;
  if (!s) throw new Error('attention maps: this model (an MLP for 2D points) has no attention');
  const path = getPath(pathName);
  const c = path.coefs(Math.min(Math.max(t, 1e-5), 1 - 1e-5));
  const shape = [1, ...net.sampleShape];
  const hd = s.dim / s.heads;
  const image = new Float32Array(x0.length);
  // A variance-exploding path (edm) has huge σ: show the network's actual input x_t·c_in.
  for (let i = 0; i < x0.length; i++) image[i] = (c.alpha * x0[i] + c.sigma * eps[i]) * c.cIn;
  const out = tf.tidy(() => {
    const xin = tf.tensor(image, shape);
    const tT = tf.tensor1d([Math.min(Math.max(t, 1e-5), 1 - 1e-5)]);
    const yT = tf.tensor1d([label], 'int32');
    const h = linear(patchify(xin, s.patch), params, 'x_embedder.proj').add(params['pos_embed']); // [1, N, D]
    const cond = ditCondition(params, tT, yT, s); // [1, D]
    const mod = linear(silu(cond), params, 'blocks.0.adaLN_modulation.1'); // [1, 6D]
    const [shiftMsa, scaleMsa] = tf.split(mod, 6, 1);
    const a = modulate(layerNorm(h), shiftMsa, scaleMsa); // [1, N, D]
    const qkv = linear(a, params, 'blocks.0.attn.qkv');
    const N = h.shape[1] as number;
    const [q, k] = tf.split(qkv, [s.heads * hd, s.kvHeads * hd, s.kvHeads * hd], 2);
    const toHeads = (x: tf.Tensor, n: number) => x.reshape([1, N, n, hd]).transpose([0, 2, 1, 3]) as tf.Tensor4D; // [1, n, N, hd]
    const qh = toHeads(q, s.heads);
    const kh = toHeads(k, s.kvHeads);
    const maps = Array.from({ length: s.heads }, (_, head) => attentionMap(qh, kh, head, query, kind === 'linear' ? 'linear' : 'naive'));
    return tf.concat(maps, 0); // [heads, N]
  });
  const weights = (await out.data()) as Float32Array;
  out.dispose();
  return { weights, image };
}

/**
 * dx/dt of the EMA model on a grid over [−extent, extent]² at each time: the network output converted to
 * the velocity (the conversion the ODE solvers use), all times in one batched forward pass and one readback.
 * Times where the field is undefined give zeros.
 */
export async function velocityField(trainer: Trainer, times: number[], grid: number, extent: number, label: number, guidance: number): Promise<Float32Array[]> {
  const net = trainer.net;
  const path = trainer.flow.path;
  const prediction = trainer.flow.prediction;
  const n = grid * grid;
  const T = times.length;
  const N = n * T;
  const pts = new Float32Array(N * 2);
  const tv = new Float32Array(N);
  const cIn = new Float32Array(N);
  const vScale = new Float32Array(N);
  const cx = new Float32Array(N);
  const cp = new Float32Array(N);
  const tMax = sampleStart(path, prediction);
  times.forEach((t0, k) => {
    const t = Math.min(Math.max(t0, 1e-4), tMax);
    const ok = fieldDefined(path, prediction, t);
    const c = path.coefs(ok ? t : 0.5);
    const conv = ok ? conversionCoefs(path, prediction, 'v', t) : { cx: 0, cp: 0 };
    for (let j = 0; j < grid; j++) {
      for (let i = 0; i < grid; i++) {
        const p = k * n + j * grid + i;
        pts[2 * p] = -extent + ((i + 0.5) * 2 * extent) / grid;
        pts[2 * p + 1] = -extent + ((j + 0.5) * 2 * extent) / grid;
        tv[p] = ok ? t : 0.5; // a finite input where the field is undefined (its coefficients are 0)
        cIn[p] = path.identityCIn ? 1 : c.cIn;
        vScale[p] = prediction === 'v' && !path.identityVScale ? c.vScale : 1;
        cx[p] = conv.cx;
        cp[p] = conv.cp;
      }
    }
  });
  const model = trainer.modelFn(trainer.ema);
  const guided = label !== net.nullLabel && guidance !== 1;
  const v = tf.tidy(() => {
    const x = tf.tensor2d(pts, [N, 2]);
    const col = (a: Float32Array) => tf.tensor2d(a, [N, 1]);
    const input = tf.mul(x, col(cIn));
    const tT = tf.tensor1d(tv);
    const run = (y: number) => tf.mul(model(input, tT, tf.fill([N], y, 'int32') as tf.Tensor1D), col(vScale));
    let pred = run(label);
    if (guided) {
      const un = run(net.nullLabel);
      pred = tf.add(un, tf.mul(tf.sub(pred, un), guidance));
    }
    return tf.add(tf.mul(x, col(cx)), tf.mul(pred, col(cp)));
  });
  const data = (await v.data()) as Float32Array;
  v.dispose();
  return times.map((_, k) => data.slice(k * n * 2, (k + 1) * n * 2));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function settle(ts: tf.Tensor[]): Promise<void> {
  const s = tf.tidy(() => ts.map((t) => tf.sum(t)).reduce((a, b) => tf.add(a, b)));
  await s.data();
  s.dispose();
}

export interface AttentionBenchOptions {
  lengths: number[];
  kinds: AttentionKind[];
  heads: number;
  kvHeads: number;
  headSize: number;
  repeats?: number;
  /** Called after each row, so the panel can show progress. */
  onRow?: (bench: AttentionBench, done: number, total: number) => void;
}

/**
 * One forward + backward pass of attention(q, k, v) for each variant and length (B = 1, the model's heads
 * and head size): peak tensor bytes by tf.profile (the tfjs engine's accounting, as src/cli/bench_attention.ts)
 * and the median wall time after a warm-up pass (shader compilation). Naive is skipped where its score
 * matrix would not fit one WebGPU storage buffer.
 */
export async function measureAttention(o: AttentionBenchOptions): Promise<AttentionBench> {
  const backend = tf.getBackend();
  const { heads: H, kvHeads: Hkv, headSize: d } = o;
  const B = 1;
  const bench: AttentionBench = { backend, B, heads: H, kvHeads: Hkv, headSize: d, rows: [] };
  const maxBinding = backend === 'webgpu' ? ((tf.backend() as unknown as { device?: GPUDevice }).device?.limits.maxStorageBufferBindingSize ?? Infinity) : Infinity;
  const total = o.lengths.length * o.kinds.length;
  for (const N of o.lengths) {
    for (const kind of o.kinds) {
      const r = resolveAttention(kind, backend, d);
      const row: AttentionBenchRow = { kind, ran: r.kind, exact: r.exact, N, status: 'ok', note: r.note };
      bench.rows.push(row);
      if (r.kind === 'naive' && 4 * B * H * N * N > Math.min(maxBinding, 2 ** 30)) {
        Object.assign(row, { status: 'skipped', note: `the ${((4 * H * N * N) / 2 ** 20).toFixed(0)} MiB score matrix is too large for one buffer` });
        o.onRow?.(bench, bench.rows.length, total);
        continue;
      }
      const rng = new Rng(1234 + N);
      const q = tf.tensor4d(rng.normals(B * H * N * d), [B, H, N, d]);
      const k = tf.tensor4d(rng.normals(B * Hkv * N * d), [B, Hkv, N, d]);
      const v = tf.tensor4d(rng.normals(B * Hkv * N * d), [B, Hkv, N, d]);
      const w = tf.tensor4d(rng.normals(B * H * N * d), [B, H, N, d]);
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(attention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, { kind }), w));
      const step = () => tf.grads(f)([q, k, v]);
      try {
        let g = step(); // warm-up: shader compilation, buffer pools
        await settle(g);
        tf.dispose(g);
        const wall: number[] = [];
        for (let i = 0; i < (o.repeats ?? 2); i++) {
          const t0 = performance.now();
          g = step();
          await settle(g);
          wall.push(performance.now() - t0);
          tf.dispose(g);
        }
        const info = await tf.profile(async () => {
          const grads = step();
          await settle(grads);
          tf.dispose(grads);
        });
        row.peakBytes = info.peakBytes;
        row.ms = median(wall);
      } catch (e) {
        Object.assign(row, { status: 'error', note: (e as Error).message.slice(0, 200) });
      } finally {
        tf.dispose([q, k, v, w]);
      }
      o.onRow?.(bench, bench.rows.length, total);
    }
  }
  return bench;
}
