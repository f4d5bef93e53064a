import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak, useBackend } from '../../test_utils/tf_backends';
import { fingerprint, gridNoise } from '../compare/fixed_noise';
import { createDataset } from '../data/registry';
import { getPath, type ModelFn } from '../flow';
import { classAccuracy, evaluateSamples, makeReference, qualityVsNfe } from './evaluate';
import { loadClassifier } from './mnist_classifier';
import { mnistBytes, shippedClassifierBytes } from './test_helpers';

describe('classAccuracy', () => {
  it('counts predictions equal to the label, per class too, skipping the null label', () => {
    const r = classAccuracy([0, 1, 2, 0, 5], [0, 1, 1, 10, 2], 10);
    expect(r.n).toBe(4);
    expect(r.accuracy).toBe(2 / 4);
    expect(r.perClass[1]).toBe(0.5);
    expect(r.perClass[2]).toBe(0);
    expect(r.perClass[3]).toBeNaN();
    expect(() => classAccuracy([1], [10], 10)).toThrow(/no sample carries a class label/);
    expect(() => classAccuracy([1, 2], [1], 10)).toThrow(/2 predictions for 1 labels/);
  });
});

describe('evaluateSamples on MNIST (shipped classifier)', () => {
  beforeAll(() => useBackend('wasm'));

  it('held-out digits against themselves: FD 0, SW 0, and the labels they carry come out as themselves', async () => {
    const clf = loadClassifier(shippedClassifierBytes());
    const held = createDataset('mnist', { mnist: mnistBytes() }).heldOut(200);
    const ref = await makeReference(held, [28, 28, 1], clf);
    const same = await evaluateSamples(held.x, held.y, ref, { numClasses: 10, conditional: true });
    expect(same.fd).toBeGreaterThanOrEqual(0);
    expect(same.fd).toBeLessThan(1e-6);
    expect(same.sw).toBe(0);
    expect(same.classAccuracy).toBeGreaterThanOrEqual(0.97);
    // Wrong labels ("asked for a 3, got a 2") and unconditional sampling.
    const shifted = Int32Array.from(held.y, (y) => (y + 1) % 10);
    expect((await evaluateSamples(held.x, shifted, ref, { numClasses: 10, conditional: true })).classAccuracy).toBeLessThan(0.05);
    expect((await evaluateSamples(held.x, held.y, ref, { numClasses: 10, conditional: false })).classAccuracy).toBeNull();
    // Degraded digits are farther in both distances.
    const noisy = held.x.map((v, i) => Math.max(-1, Math.min(1, v + 0.8 * Math.sin(i * 12.9898))));
    const worse = await evaluateSamples(noisy, held.y, ref, { numClasses: 10, conditional: true });
    expect(worse.fd).toBeGreaterThan(1);
    expect(worse.sw).toBeGreaterThan(0.01);
    clf.dispose();
  });
});

describe('qualityVsNfe', () => {
  beforeAll(() => useBackend('cpu'));

  it('a constant velocity field: straight trajectories (S = 0, chord/length 1), samples = noise − c, NFE doubled by guidance', async () => {
    // v = c everywhere: every solver integrates it exactly from t = 1 to 0, so the sample is noise − c.
    const c = tf.tensor1d([0.5, -1]);
    const model: ModelFn = (x) => tf.add(tf.mul(x, 0), c);
    const n = 64;
    const seed = 3;
    const noise = gridNoise(seed, n, [2]);
    const target = noise.map((v, i) => v - (i % 2 === 0 ? 0.5 : -1));
    const ref = await makeReference({ x: target, y: new Int32Array(n) }, [2]);
    const res = await expectNoLeak(() =>
      qualityVsNfe({ model, path: getPath('rf'), prediction: 'v', nullLabel: 2, numClasses: 2, sampleShape: [2] }, ref, { samplers: ['euler', 'heun'], steps: [1, 4], guidance: [1, 3], n, seed, batch: 25 }),
    );
    expect(res.noise).toBe(fingerprint(noise));
    expect(res.rows.map((r) => `${r.sampler}/${r.steps}/${r.guidance}/${r.nfe}`)).toEqual([
      'euler/1/1/1', 'euler/1/3/2', 'euler/4/1/4', 'euler/4/3/8',
      'heun/1/1/2', 'heun/1/3/4', 'heun/4/1/8', 'heun/4/3/16',
    ]);
    for (const r of res.rows) {
      expect(r.straightness).toBeLessThan(1e-10);
      expect(r.pathRatio).toBeCloseTo(1, 6);
      expect(r.sw).toBeLessThan(1e-5);
      expect(r.fd).toBeNull();
      expect(r.classAccuracy).toBeNull();
    }
    c.dispose();
  });

  it('a curved field shows up: rotation about the origin gives chord/length < 1 and S > 0', async () => {
    // v(x) = (−x₂, x₁)·(π/2): a quarter turn over t ∈ [1, 0] (Euler spirals outwards but stays curved).
    const model: ModelFn = (x) => tf.mul(tf.concat([tf.neg(x.slice([0, 1], [-1, 1])), x.slice([0, 0], [-1, 1])], 1), Math.PI / 2);
    const n = 16;
    const ref = await makeReference({ x: gridNoise(1, n, [2]), y: new Int32Array(n) }, [2]);
    const res = await qualityVsNfe({ model, path: getPath('rf'), prediction: 'v', nullLabel: 1, numClasses: 1, sampleShape: [2] }, ref, { samplers: ['rk4'], steps: [16], guidance: [1], n, seed: 1 });
    const row = res.rows[0];
    // RK4 follows the exact circle: chord/length = sin(π/4)/(π/4) ≈ 0.9003.
    expect(row.pathRatio).toBeCloseTo(Math.sin(Math.PI / 4) / (Math.PI / 4), 2);
    expect(row.straightness).toBeGreaterThan(0.1);
  });
});
