// The vp and edm half of train_toy_rf_cosine.test.ts (the bound and its references are in toy_harness.ts).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../test_utils/tf_backends';
import { PREDICTIONS } from './prediction';
import { SW_BOUND, trainToy } from './toy_harness';

describe('toy training (vp, edm)', () => {
  beforeAll(() => useBackend('wasm'));

  it.each((['vp', 'edm'] as const).flatMap((p) => PREDICTIONS.map((q) => [p, q] as const)))('%s / %s: the loss falls and samples land on the data', (path, prediction) => {
    const before = tf.memory().numTensors;
    const r = trainToy(path, prediction);
    expect(r.lossAfter).toBeLessThan(0.9 * r.lossBefore); // v on cosine and vp: 0.85–0.88 (a large irreducible part)
    expect(r.sw).toBeLessThan(SW_BOUND);
    expect(tf.memory().numTensors).toBe(before);
  });
});
