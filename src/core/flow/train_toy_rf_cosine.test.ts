// Every path × prediction trains on a 2-D Gaussian mixture and samples close to it (toy_harness.ts; split
// over two files so that vitest runs them on both cores).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../test_utils/tf_backends';
import { slicedWasserstein } from '../metrics/sliced_wasserstein';
import { Rng } from '../rng';
import { PREDICTIONS } from './prediction';
import { quadMixture, sampleSw, SW_BOUND, toyMlp, trainToy, TOY } from './toy_harness';

describe('toy training (rf, cosine)', () => {
  beforeAll(() => useBackend('wasm'));

  it('the bound separates data from noise and from an untrained model', () => {
    const data = quadMixture(new Rng(99), TOY.samples);
    expect(slicedWasserstein(quadMixture(new Rng(98), TOY.samples), data, 2, { rng: new Rng(5), projections: 64 })).toBeLessThan(0.06);
    expect(slicedWasserstein(new Rng(3).normals(2 * TOY.samples), data, 2, { rng: new Rng(5), projections: 64 })).toBeGreaterThan(0.3);
    const { model, vars } = toyMlp(new Rng(1)); // zero output layer: v = 0, samples stay noise
    expect(sampleSw(model, 'rf', 'v', new Rng(2))).toBeGreaterThan(0.3);
    tf.dispose(vars);
  });

  it.each((['rf', 'cosine'] as const).flatMap((p) => PREDICTIONS.map((q) => [p, q] as const)))('%s / %s: the loss falls and samples land on the data', (path, prediction) => {
    const before = tf.memory().numTensors;
    const r = trainToy(path, prediction);
    expect(r.lossAfter).toBeLessThan(0.9 * r.lossBefore); // v on cosine and vp: 0.85–0.88 (a large irreducible part)
    expect(r.sw).toBeLessThan(SW_BOUND);
    expect(tf.memory().numTensors).toBe(before);
  });
});
