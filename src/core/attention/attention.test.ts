import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectClose, expectNoLeak } from '../../test_utils/tf_backends';
import { describeAgreement, largestTensorInStep } from './agreement_suite';
import { ATTENTION_KINDS, attention, attentionMap, resolveAttention, validateAttentionConfig, type AttentionKind } from './index';
import { finiteDifferenceGrads, referenceAttention, type AttentionDims } from './reference';
import {
  caseInputs,
  caseName,
  compareNaiveWithReference,
  compareWithRepeatedKV,
  leakedTensors,
  runAttentionSelfCheck,
  runWithGrads,
  SELF_CHECK_TOL,
  type AgreementCase,
} from './self_check';

const TOL = SELF_CHECK_TOL; // 1e-4, float32

// Batch sizes, MHA/GQA/MQA head layouts, head sizes, and lengths below, at, and not a
// multiple of the block size (default block 128, so N = 150 has a partial second block).
const CASES: AgreementCase[] = [
  { B: 1, H: 1, Hkv: 1, N: 1, d: 4, blockSize: 4 },
  { B: 1, H: 2, Hkv: 2, N: 8, d: 4, blockSize: 4 },
  { B: 2, H: 2, Hkv: 2, N: 13, d: 8, blockSize: 4 },
  { B: 3, H: 4, Hkv: 2, N: 29, d: 8, blockSize: 8 },
  { B: 1, H: 4, Hkv: 1, N: 64, d: 16, blockSize: 16 },
  { B: 2, H: 6, Hkv: 3, N: 45, d: 12, blockSize: 7 },
  { B: 1, H: 2, Hkv: 1, N: 150, d: 32 },
  { B: 2, H: 8, Hkv: 4, N: 97, d: 64, blockSize: 32 },
];

describeBackends('naive attention, hand-computed', () => {
  it('weights 3/4 and 1/4 when the scaled scores are ln 3 and 0', () => {
    // d = 4 → scale 1/2. q·k0 = 2 ln 3 → score ln 3; q·k1 = 0 → score 0. softmax = (3/4, 1/4).
    const ln3 = Math.log(3);
    const q = tf.tensor4d([2 * ln3, 0, 0, 0, 0, 0, 0, 0], [1, 1, 2, 4]);
    const k = tf.tensor4d([1, 0, 0, 0, 0, 1, 0, 0], [1, 1, 2, 4]);
    const v = tf.tensor4d([4, 8, 0, -4, 0, 4, 8, 12], [1, 1, 2, 4]);
    const out = attention(q, k, v, { kind: 'naive' });
    // Row 0: 3/4·v0 + 1/4·v1 = (3, 7, 2, 0). Row 1: q = 0, equal scores: (v0 + v1)/2 = (2, 6, 4, 4).
    expectClose(out.dataSync(), [3, 7, 2, 0, 2, 6, 4, 4], 1e-5);
    tf.dispose([q, k, v, out]);
  });

  it('one key: the output is that value whatever the query', () => {
    const q = tf.tensor4d([5, -3], [1, 1, 1, 2]);
    const k = tf.tensor4d([0.7, 2], [1, 1, 1, 2]);
    const v = tf.tensor4d([1.5, -2.5], [1, 1, 1, 2]);
    const out = attention(q, k, v, { kind: 'naive' });
    expectClose(out.dataSync(), [1.5, -2.5], 1e-6);
    tf.dispose([q, k, v, out]);
  });
});

describeBackends('attention', (backend) => {
  describe('naive', () => {
    for (const c of [CASES[2], CASES[3], CASES[5]]) {
      it(`matches the float64 reference, ${caseName(c)}`, async () => {
        expect(await compareNaiveWithReference(c)).toBeLessThan(TOL);
      });
    }

    it('gradients match float64 finite differences', async () => {
      const dims: AttentionDims = { B: 2, H: 2, Hkv: 1, N: 5, d: 3 };
      const x = caseInputs(dims, 11);
      const got = await runWithGrads((q, k, v) => attention(q, k, v, { kind: 'naive' }), x);
      const [q, k, v, w] = await Promise.all([x.q.data(), x.k.data(), x.v.data(), x.w.data()]);
      const [dq, dk, dv] = finiteDifferenceGrads(q, k, v, w, dims);
      expectClose(got.dq, dq, TOL);
      expectClose(got.dk, dk, TOL);
      expectClose(got.dv, dv, TOL);
      tf.dispose(Object.values(x));
    });
  });

  for (const kind of ['chunked', 'flash'] as const) describeAgreement(kind, CASES, TOL);

  it('flash off WebGPU runs as chunked: identical results', async () => {
    expect(resolveAttention('flash', backend)).toMatchObject({ kind: 'chunked', exact: true });
    const c = CASES[3];
    const x = caseInputs(c, 5);
    const a = await runWithGrads((q, k, v) => attention(q, k, v, { kind: 'flash', blockSize: c.blockSize }), x);
    const b = await runWithGrads((q, k, v) => attention(q, k, v, { kind: 'chunked', blockSize: c.blockSize }), x);
    expect(Array.from(a.out)).toEqual(Array.from(b.out));
    expect(Array.from(a.dk)).toEqual(Array.from(b.dk));
    tf.dispose(Object.values(x));
  });

  describe('grouped-query heads', () => {
    const gqa: AgreementCase[] = [
      { B: 2, H: 4, Hkv: 2, N: 21, d: 8, blockSize: 8 },
      { B: 1, H: 6, Hkv: 1, N: 33, d: 4, blockSize: 16 },
      { B: 1, H: 8, Hkv: 4, N: 130, d: 16 },
    ];
    for (const kind of ATTENTION_KINDS) {
      for (const c of gqa) {
        it(`${kind}: equals ${kind === 'linear' ? 'linear' : 'naive'} on explicitly repeated K/V, ${caseName(c)}`, async () => {
          const e = await compareWithRepeatedKV(kind, c, 2, kind === 'linear' ? 'linear' : 'naive');
          expect(Math.max(e.out, e.dq, e.dk, e.dv)).toBeLessThan(TOL);
        });
      }

      it(`${kind}: kvHeads = heads equals the plain per-head computation`, async () => {
        // Each head on its own (H = Hkv = 1), concatenated, against all heads at once.
        const c = { B: 2, H: 3, Hkv: 3, N: 19, d: 8, blockSize: 8 };
        const x = caseInputs(c, 9);
        const perHead = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => {
          const outs = [];
          for (let h = 0; h < c.H; h++) {
            const sl = (t: tf.Tensor4D) => tf.slice(t, [0, h, 0, 0], [c.B, 1, c.N, c.d]);
            outs.push(attention(sl(q), sl(k), sl(v), { kind, blockSize: c.blockSize }));
          }
          return tf.concat(outs, 1) as tf.Tensor4D;
        };
        const all = await runWithGrads((q, k, v) => attention(q, k, v, { kind, blockSize: c.blockSize }), x);
        const split = await runWithGrads(perHead, x);
        expectClose(all.out, split.out, TOL);
        expectClose(all.dq, split.dq, TOL);
        expectClose(all.dk, split.dk, TOL);
        expectClose(all.dv, split.dv, TOL);
        tf.dispose(Object.values(x));
      });
    }
  });

  describe('linear (approximation)', () => {
    it('matches the float64 linear-attention formula, with finite-difference gradients', async () => {
      const dims: AttentionDims = { B: 1, H: 4, Hkv: 2, N: 6, d: 3 };
      const x = caseInputs(dims, 12);
      const got = await runWithGrads((q, k, v) => attention(q, k, v, { kind: 'linear' }), x);
      const [q, k, v, w] = await Promise.all([x.q.data(), x.k.data(), x.v.data(), x.w.data()]);
      expectClose(got.out, referenceAttention(q, k, v, dims, 'linear'), TOL);
      const [dq, dk, dv] = finiteDifferenceGrads(q, k, v, w, dims, 'linear');
      expectClose(got.dq, dq, TOL);
      expectClose(got.dk, dk, TOL);
      expectClose(got.dv, dv, TOL);
      tf.dispose(Object.values(x));
    });

    it('hand-written gradient is right at the kink of elu + 1 (inputs exactly 0)', async () => {
      const dims: AttentionDims = { B: 1, H: 1, Hkv: 1, N: 4, d: 2 };
      const x = caseInputs(dims, 14);
      const zero = (t: tf.Tensor4D) => tf.mul(t, tf.tensor4d([0, 1, 1, 0, 1, 0, 0, 1], [1, 1, 4, 2])) as tf.Tensor4D;
      const z = { q: zero(x.q), k: zero(x.k), v: x.v, w: x.w };
      const got = await runWithGrads((q, k, v) => attention(q, k, v, { kind: 'linear' }), z);
      const [q, k, v, w] = await Promise.all([z.q.data(), z.k.data(), z.v.data(), z.w.data()]);
      const [dq, dk, dv] = finiteDifferenceGrads(q, k, v, w, dims, 'linear');
      expectClose(got.dq, dq, TOL);
      expectClose(got.dk, dk, TOL);
      expectClose(got.dv, dv, TOL);
      tf.dispose([z.q, z.k, ...Object.values(x)]);
    });

    it('differs from softmax attention, and says so', async () => {
      const x = caseInputs({ B: 1, H: 1, Hkv: 1, N: 16, d: 8 }, 13);
      const a = attention(x.q, x.k, x.v, { kind: 'linear' });
      const b = attention(x.q, x.k, x.v, { kind: 'naive' });
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-2);
      expect(resolveAttention('linear', backend)).toMatchObject({ kind: 'linear', exact: false });
      expect(resolveAttention('linear', backend).note).toMatch(/approximat/);
      tf.dispose([a, b, ...Object.values(x)]);
    });

    it('stays finite for large inputs (no exp overflow in the unused branch)', () => {
      const q = tf.fill([1, 1, 4, 2], 200) as tf.Tensor4D;
      const [out, dq] = tf.tidy(() => [
        attention(q, q, q, { kind: 'linear' }),
        tf.grad((x: tf.Tensor) => tf.sum(attention(x as tf.Tensor4D, q, q, { kind: 'linear' })))(q),
      ]);
      expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
      expect(Array.from(dq.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([q, out, dq]);
    });
  });

  describe('memory', () => {
    it('no kind leaks tensors (forward + backward)', async () => {
      for (const kind of ATTENTION_KINDS) expect(await leakedTensors(kind, CASES[3]), kind).toBe(0);
    });

    it('plain forward calls leak nothing', async () => {
      const x = caseInputs(CASES[5], 6);
      for (const kind of ATTENTION_KINDS) {
        await expectNoLeak(() => attention(x.q, x.k, x.v, { kind, blockSize: 7 }).dispose());
      }
      tf.dispose(Object.values(x));
    });

    it('chunked never builds a tensor of N×N scores, in forward or backward', async () => {
      const c = { B: 1, H: 2, Hkv: 2, N: 64, d: 8 };
      const x = caseInputs(c, 7);
      const scores = c.B * c.H * c.N * c.N;
      expect(await largestTensorInStep('naive', x)).toBeGreaterThanOrEqual(scores);
      expect(await largestTensorInStep('chunked', x, 16)).toBeLessThanOrEqual(scores / 4); // blocks of 16×16, rows of N·d
      tf.dispose(Object.values(x));
    });
  });

  describe('attentionMap', () => {
    it('is the softmax row of the chosen head and query, and sums to 1 (GQA head mapping)', async () => {
      const c = { B: 2, H: 4, Hkv: 2, N: 9, d: 4 };
      const x = caseInputs(c, 8);
      const [q, k] = await Promise.all([x.q.data(), x.k.data()]);
      const head = 3;
      const query = 5;
      const map = attentionMap(x.q, x.k, head, query);
      expect(map.shape).toEqual([c.B, c.N]);
      // Reference: with V = identity rows (d = N one-hot values) the output row is the weight row.
      const eye = new Float64Array(c.B * c.Hkv * c.N * c.N);
      for (let b = 0; b < c.B * c.Hkv; b++) for (let j = 0; j < c.N; j++) eye[(b * c.N + j) * c.N + j] = 1;
      const qPad = new Float64Array(c.B * c.H * c.N * c.N);
      const kPad = new Float64Array(c.B * c.Hkv * c.N * c.N);
      // Zero-padding q and k to width N keeps q·k but changes the 1/√d scale: pre-scale q back.
      const fix = Math.sqrt(c.N) / Math.sqrt(c.d);
      for (let r = 0; r < c.B * c.H * c.N; r++) for (let i = 0; i < c.d; i++) qPad[r * c.N + i] = q[r * c.d + i] * fix;
      for (let r = 0; r < c.B * c.Hkv * c.N; r++) for (let i = 0; i < c.d; i++) kPad[r * c.N + i] = k[r * c.d + i];
      const ref = referenceAttention(qPad, kPad, eye, { ...c, d: c.N });
      const want: number[] = [];
      for (let b = 0; b < c.B; b++) for (let j = 0; j < c.N; j++) want.push(ref[((b * c.H + head) * c.N + query) * c.N + j]);
      expectClose(map.dataSync(), want, 1e-5);
      const sums = tf.sum(map, 1);
      expectClose(sums.dataSync(), [1, 1], 1e-5);
      tf.dispose([map, sums, ...Object.values(x)]);
    });

    it('linear weights sum to 1; bad head or query is a clear error', () => {
      const x = caseInputs({ B: 1, H: 2, Hkv: 1, N: 5, d: 4 }, 9);
      const m = attentionMap(x.q, x.k, 1, 0, 'linear');
      expectClose(tf.sum(m).dataSync(), [1], 1e-5);
      expect(() => attentionMap(x.q, x.k, 2, 0)).toThrow(/head must be an integer in \[0, 1\]/);
      expect(() => attentionMap(x.q, x.k, 0, 5)).toThrow(/query/);
      tf.dispose([m, ...Object.values(x)]);
    });
  });

  it('bad inputs are clear errors, not crashes', () => {
    const q = tf.zeros([1, 4, 8, 4]) as tf.Tensor4D;
    const k3 = tf.zeros([1, 3, 8, 4]) as tf.Tensor4D;
    const k2 = tf.zeros([1, 2, 8, 4]) as tf.Tensor4D;
    const short = tf.zeros([1, 2, 7, 4]) as tf.Tensor4D;
    expect(() => attention(q, k3, k3, { kind: 'chunked' })).toThrow(/^kvHeads: 3 key\/value heads must divide the 4 query heads/);
    expect(() => attention(q, short, short, { kind: 'naive' })).toThrow(/must agree on batch, length and head size/);
    expect(() => attention(q, k2, k2, { kind: 'bogus' as AttentionKind })).toThrow(/unknown kind 'bogus'/);
    expect(() => attention(q, k2, k2, { kind: 'chunked', blockSize: 0 })).toThrow(/blockSize/);
    expect(() => attention(q.reshape([4, 8, 4]) as unknown as tf.Tensor4D, k2, k2, { kind: 'naive' })).toThrow(/rank 4/);
    tf.dispose([q, k3, k2, short]);
  });

  it('runAttentionSelfCheck passes on this backend', async () => {
    const rows = await runAttentionSelfCheck({ cases: CASES.slice(1, 4) });
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((r) => !r.ok)).toEqual([]);
  });
});

describe('resolveAttention / validateAttentionConfig', () => {
  it('resolves flash to chunked off WebGPU, with a note', () => {
    expect(resolveAttention('flash', 'webgpu')).toEqual({ kind: 'flash', exact: true });
    for (const b of ['cpu', 'wasm', 'webgl']) {
      const r = resolveAttention('flash', b);
      expect(r.kind).toBe('chunked');
      expect(r.exact).toBe(true);
      expect(r.note).toMatch(new RegExp(`WebGPU.*'${b}'.*chunked`));
    }
    expect(resolveAttention('flash', 'webgpu', 512).kind).toBe('chunked');
    expect(resolveAttention('naive', 'cpu')).toEqual({ kind: 'naive', exact: true });
    expect(resolveAttention('chunked', 'webgpu')).toEqual({ kind: 'chunked', exact: true });
  });

  it('accepts good configurations', () => {
    for (const attention of ATTENTION_KINDS) {
      expect(validateAttentionConfig({ attention, heads: 8, kvHeads: 8 })).toBeNull();
      expect(validateAttentionConfig({ attention, heads: 8, kvHeads: 2 }, 'webgpu')).toBeNull();
      expect(validateAttentionConfig({ attention, heads: 6, kvHeads: 1 })).toBeNull();
    }
    expect(validateAttentionConfig({ attention: 'chunked', heads: 4, kvHeads: 2 }, 'wasm')).toBeNull();
  });

  it('names kvHeads when it does not divide heads or is out of range', () => {
    expect(validateAttentionConfig({ attention: 'naive', heads: 8, kvHeads: 3 })).toBe('kvHeads: 3 does not divide heads (8); use one of 1, 2, 4, 8');
    expect(validateAttentionConfig({ attention: 'naive', heads: 4, kvHeads: 8 })).toMatch(/^kvHeads: must be an integer from 1 to heads \(4\), got 8/);
    expect(validateAttentionConfig({ attention: 'naive', heads: 4, kvHeads: 0 })).toMatch(/^kvHeads:/);
    expect(validateAttentionConfig({ attention: 'naive', heads: 4, kvHeads: 1.5 })).toMatch(/^kvHeads:/);
    expect(validateAttentionConfig({ attention: 'naive', heads: 0, kvHeads: 1 })).toMatch(/^heads:/);
  });

  it('names attention when flash is forced without WebGPU or the kind is unknown', () => {
    const msg = validateAttentionConfig({ attention: 'flash', heads: 4, kvHeads: 4 }, 'wasm');
    expect(msg).toMatch(/^attention: 'flash' needs the WebGPU backend, but the backend is 'wasm'; use 'chunked'/);
    expect(msg).not.toMatch(/kvHeads/);
    expect(validateAttentionConfig({ attention: 'flash', heads: 4, kvHeads: 4 })).toBeNull(); // not forced: falls back
    expect(validateAttentionConfig({ attention: 'fast' as AttentionKind, heads: 4, kvHeads: 4 })).toMatch(/^attention: unknown kind 'fast'/);
  });
});
