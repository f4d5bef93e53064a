import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, gridNoise } from '../core/compare/fixed_noise';
import { makeConfig } from '../core/config';
import type { UploadImage } from '../core/data/from_images';
import '../test_utils/tf_backends';
import type { WorkerEvent } from './protocol';
import { TrainingSession, type ImageDecoder } from './session';

type Of<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;

/** A session on the cpu backend that records every event (and checks what postMessage would check). */
function harness(decode?: ImageDecoder) {
  const events: WorkerEvent[] = [];
  const emit = (e: WorkerEvent, transfer: Transferable[] = []) => {
    // postMessage throws DataCloneError on a buffer listed twice.
    if (new Set(transfer).size !== transfer.length) throw new Error(`${e.type}: duplicate buffers in the transfer list`);
    events.push(e);
  };
  const session = new TrainingSession(emit, async () => new Uint8Array(0), decode);
  const last = <T extends WorkerEvent['type']>(type: T): Of<T> | undefined => events.filter((e) => e.type === type).at(-1) as Of<T> | undefined;
  const all = <T extends WorkerEvent['type']>(type: T): Of<T>[] => events.filter((e) => e.type === type) as Of<T>[];
  /** Waits until the session's loop has stopped (play/step return before it ends). */
  const idle = async () => {
    for (let i = 0; i < 2000 && session.current.state === 'running'; i++) await new Promise((r) => setTimeout(r, 5));
  };
  return { events, session, last, all, idle };
}

const TINY_DIT = { dataset: 'shapes16', patch: '4', dim: '16', depth: '1', heads: '2', batch: '4', sampleSteps: '2', warmup: '0' };
const TINY_2D = { dataset: 'moons', dim: '16', depth: '1', batch: '16', sampleSteps: '3', cfg: '1' };

describe('TrainingSession', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
  });

  it('reports path tables on ready: rf has α = 1 − t, σ = t', async () => {
    const h = harness();
    await h.session.handle({ type: 'init', backend: 'cpu', assetBase: './' });
    const ready = h.last('ready')!;
    expect(ready.report.name).toBe('cpu');
    const { t, paths } = ready.schedules;
    expect(t).toHaveLength(101);
    expect(paths.rf.alpha[30]).toBeCloseTo(1 - t[30], 6);
    expect(paths.rf.sigma[70]).toBeCloseTo(t[70], 6);
    expect(paths.cosine.alpha[50]).toBeCloseTo(Math.cos(Math.PI / 4), 6);
    expect(Object.keys(paths).sort()).toEqual(['cosine', 'edm', 'rf', 'vp']);
  });

  it('a 2D run streams a preview, metrics, a particle trajectory and the velocity field', async () => {
    const h = harness();
    await h.session.handle({ type: 'init', backend: 'cpu', assetBase: './' });
    await h.session.handle({ type: 'sampleSettings', settings: { every: 0 } });
    await h.session.handle({ type: 'configure', config: makeConfig(TINY_2D) });
    const conf = h.last('configured')!;
    expect(conf.dataset).toMatchObject({ name: 'moons', kind: 'points', source: 'builtin', numClasses: 2 });
    expect(conf.attention).toBeNull();
    const prev = h.last('dataPreview')!.preview;
    expect(prev.n).toBe(512);
    expect(prev.x).toHaveLength(1024);
    await h.session.handle({ type: 'step', n: 3 });
    await h.idle();
    const losses = h.all('metrics').flatMap((m) => [...m.batch.loss]);
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
    await h.session.handle({ type: 'sampleNow' });
    const s = h.last('samples')!.samples;
    expect(s.times).toEqual([1, 2 / 3, 1 / 3, 0].map((x) => expect.closeTo(x, 6)));
    expect(s.trajectory).toHaveLength(4);
    expect(s.trajectory![0]).toHaveLength(512 * 2);
    expect(s.trajectory![3]).toEqual(s.x); // the last frame is the sample
    const f = h.last('velocityField')!.field;
    expect(f.times).toHaveLength(11);
    expect(f.v[0]).toHaveLength(21 * 21 * 2);
    expect(f.conditional).toBe(false); // two classes: the unconditional field
    expect(f.v.every((a) => a.every(Number.isFinite))).toBe(true);
  });

  it('a DiT run gives a trajectory strip, first-block attention maps and an attention bench', async () => {
    const h = harness();
    await h.session.handle({ type: 'init', backend: 'cpu', assetBase: './' });
    await h.session.handle({ type: 'configure', config: makeConfig({ ...TINY_DIT, attention: 'flash' }) });
    const conf = h.last('configured')!;
    expect(conf.attention).toMatchObject({ requested: 'flash', ran: 'chunked', exact: true, tokens: 16, heads: 2, headSize: 8 });
    expect(conf.attention!.note).toMatch(/WebGPU/);
    await h.session.handle({ type: 'sampleNow' });
    const s = h.last('samples')!.samples;
    expect(s.times).toEqual([1, 0.5, 0]);
    expect(s.trajectory).toBeUndefined(); // images travel as composed pictures
    const classes = h.last('configured')!.dataset.numClasses;
    expect(s.grid!.width).toBe(classes * 17 + 1); // one 16-pixel column per class, 1-pixel padding
    expect(s.strip!.rows).toBe(Math.min(classes, 8));
    expect(s.strip!.width).toBe(3 * 17 + 1);
    expect(s.strip!.rgba).toHaveLength(s.strip!.width * s.strip!.height * 4);
    expect(s.spread).toBeGreaterThan(0);

    await h.session.handle({ type: 'attentionMap', query: 5, t: 0.5, index: 1 });
    const m = h.last('attentionMap')!.map;
    expect(m).toMatchObject({ query: 5, index: 1, heads: 2, grid: 4 });
    for (let head = 0; head < 2; head++) {
      const row = m.weights.subarray(head * 16, (head + 1) * 16);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    expect(m.image).toHaveLength(16 * 16 * 3);

    const before = tf.memory().numTensors;
    await h.session.handle({ type: 'measureAttention', lengths: [8, 16], kinds: ['naive', 'chunked', 'linear'] });
    expect(tf.memory().numTensors).toBe(before);
    const bench = h.last('attentionBench')!.bench;
    expect(bench.rows).toHaveLength(6);
    for (const r of bench.rows) {
      expect(r.status).toBe('ok');
      expect(r.peakBytes).toBeGreaterThan(0);
    }
    expect(bench.rows.find((r) => r.kind === 'linear')!.exact).toBe(false);
    expect(h.all('error')).toEqual([]);
  });

  it('stops and says so when the loss stops being finite, and refuses to play on', async () => {
    const h = harness();
    await h.session.handle({ type: 'init', backend: 'cpu', assetBase: './' });
    await h.session.handle({ type: 'sampleSettings', settings: { every: 0 } });
    await h.session.handle({ type: 'configure', config: makeConfig(TINY_2D) });
    // Poison the data: the first loss is NaN.
    const trainer = (h.session as unknown as { trainer: { nextBatch: () => { x0: Float32Array } } }).trainer;
    const next = trainer.nextBatch.bind(trainer);
    trainer.nextBatch = () => ({ ...next(), x0: new Float32Array(next().x0.length).fill(NaN) });
    await h.session.handle({ type: 'play' });
    await h.idle();
    const st = h.last('state')!;
    expect(st.state).toBe('diverged');
    expect(st.message).toMatch(/loss became NaN at step 1/);
    await h.session.handle({ type: 'play' });
    await h.idle();
    expect(h.session.current).toEqual({ state: 'diverged', step: 1 });
    await h.session.handle({ type: 'reset' });
    expect(h.session.current.state).toBe('idle');
  });

  it('trains on uploaded images resized to the model size, with folder labels, and clears them', async () => {
    const img = (v: number, label: string): UploadImage => ({ data: new Uint8ClampedArray(8 * 8 * 4).fill(v), width: 8, height: 8, label });
    const decode: ImageDecoder = async (items, _maxSide, useLabels) => ({
      images: items.map((it, i) => {
        const im = img(i * 40, it.label ?? 'x');
        return useLabels ? im : { ...im, label: undefined };
      }),
      skipped: [],
    });
    const h = harness(decode);
    await h.session.handle({ type: 'init', backend: 'cpu', assetBase: './' });
    await h.session.handle({ type: 'configure', config: makeConfig(TINY_DIT) });
    const items = ['cats', 'cats', 'dogs'].map((label, i) => ({ file: new Blob([]), name: `${i}.png`, label }));
    await h.session.handle({ type: 'upload', items, useLabels: true });
    expect(h.last('upload')).toMatchObject({ status: 'ready', done: 3, total: 3 });
    const conf = h.last('configured')!;
    expect(conf.dataset).toMatchObject({ source: 'upload', kind: 'image', shape: [16, 16, 3], numClasses: 2, classNames: ['cats', 'dogs'], size: 3 });
    expect(h.last('dataPreview')!.preview.n).toBe(3);
    await h.session.handle({ type: 'step', n: 2 });
    await h.idle();
    expect(h.all('metrics').flatMap((m) => [...m.batch.loss]).every(Number.isFinite)).toBe(true);

    await h.session.handle({ type: 'clearUpload' });
    expect(h.last('upload')!.status).toBe('cleared');
    expect(h.last('configured')!.dataset.source).toBe('builtin');
  });

  it('refuses more folders than the model has class slots, and keeps the built-in data', async () => {
    const decode: ImageDecoder = async (items) => ({ images: items.map((it) => ({ data: new Uint8ClampedArray(16).fill(9), width: 2, height: 2, label: it.label })), skipped: [] });
    const h = harness(decode);
    await h.session.handle({ type: 'init', backend: 'cpu', assetBase: './' });
    await h.session.handle({ type: 'configure', config: makeConfig(TINY_DIT) });
    const classes = h.last('configured')!.dataset.numClasses;
    const items = Array.from({ length: classes + 1 }, (_, i) => ({ file: new Blob([]), name: `${i}.png`, label: `class${i}` }));
    await h.session.handle({ type: 'upload', items, useLabels: true });
    const up = h.last('upload')!;
    expect(up.status).toBe('failed');
    expect(up.message).toMatch(new RegExp(`${classes + 1} labels .* ${classes} class slots`));
    expect(h.all('configured')).toHaveLength(1);
  });
  it('two runs differing only in one setting sample their grids from identical noise and labels; another seed does not', async () => {
    const grid = async (over: Record<string, string>) => {
      const h = harness();
      await h.session.handle({ type: 'init', backend: 'cpu', assetBase: './' });
      await h.session.handle({ type: 'sampleSettings', settings: { every: 0 } });
      await h.session.handle({ type: 'configure', config: makeConfig({ ...TINY_DIT, ...over }) });
      await h.session.handle({ type: 'step', n: 2 });
      await h.idle();
      await h.session.handle({ type: 'sampleNow' });
      return h.last('samples')!.samples;
    };
    const a = await grid({ timesteps: 'uniform', seed: '3' });
    const b = await grid({ timesteps: 'logit-normal:0,1', seed: '3' });
    const c = await grid({ timesteps: 'uniform', seed: '4' });
    expect(a.step).toBe(2);
    expect(a.noiseFingerprint).toBe(b.noiseFingerprint);
    expect(a.labelsFingerprint).toBe(b.labelsFingerprint);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    // The fingerprint is of the seed's grid noise (not of some other buffer), and the seed changes it.
    expect(a.noiseFingerprint).toBe(fingerprint(gridNoise(3, a.n, a.shape)));
    expect(c.noiseFingerprint).not.toBe(a.noiseFingerprint);
    // Same noise, different training: the samples themselves differ.
    expect(Array.from(a.x)).not.toEqual(Array.from(b.x));
  });
  it('measures quality against NFE of the current run on the seed’s fixed noise; bad requests name the field', async () => {
    const h = harness();
    await h.session.handle({ type: 'init', backend: 'cpu', assetBase: './' });
    await h.session.handle({ type: 'sampleSettings', settings: { every: 0 } });
    await h.session.handle({ type: 'configure', config: makeConfig({ ...TINY_DIT, seed: '5' }) });
    await h.session.handle({ type: 'step', n: 2 });
    await h.idle();
    await h.session.handle({ type: 'evaluateQuality', n: 8, steps: [1, 4] });
    const q = h.last('quality')!;
    expect(q.step).toBe(2);
    expect(q.rows.map((r) => [r.sampler, r.steps])).toEqual([
      ['euler', 1],
      ['euler', 4],
    ]);
    expect(q.rows.every((r) => Number.isFinite(r.sw) && r.sw > 0 && r.fd === null)).toBe(true);
    expect(q.rows[1].nfe).toBeGreaterThan(q.rows[0].nfe);
    expect(q.eval).toMatchObject({ n: 8, seed: 5, noise: fingerprint(gridNoise(5, 8, [16, 16, 3])) });
    await h.session.handle({ type: 'evaluateQuality', n: 1, steps: [4] });
    expect(h.last('error')!.message).toMatch(/^evaluateQuality: n must be an integer in \[2, 1024\], got 1/);
    await h.session.handle({ type: 'evaluateQuality', n: 8, steps: [0] });
    expect(h.last('error')!.message).toMatch(/^evaluateQuality: steps must be integers/);
  });
});
