import { expect, it } from 'vitest';
import { describeBackends } from '../../test_utils/tf_backends';
import { makeConfig } from '../config';
import { createDataset } from '../data/registry';
import { slicedWasserstein } from '../metrics/sliced_wasserstein';
import { Rng } from '../rng';
import { couplingStraightness, makeReflowPairs, pairedDataset, reflowStart } from './reflow';
import { Trainer } from './trainer';

async function train(t: Trainer, steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) {
    t.trainStep();
    if (i % 50 === 49) await t.flush();
  }
  await t.flush();
}

describeBackends(
  'reflow',
  () => {
    it('the 2-rectified flow is straighter and samples better in one step than the 1-rectified flow', async () => {
      const c = makeConfig({ dataset: 'moons', dim: '64', depth: '2', batch: '256', lr: '0.003', warmup: '20', steps: '500', timesteps: 'uniform', cfg: '1', labelDropout: '0', ema: '0.99' });
      const data = createDataset('moons');
      const rf1 = new Trainer(c, data);
      await train(rf1, 500);
      const pairs1 = await makeReflowPairs(rf1, 1024, { seed: 7, sampler: 'euler', steps: 32 });
      const s1 = couplingStraightness(rf1, pairs1);

      const rf2 = new Trainer({ ...c, steps: 300, warmup: 0, lr: 0.001 }, pairedDataset(data, pairs1), reflowStart(await rf1.snapshot()));
      await train(rf2, 300);
      const pairs2 = await makeReflowPairs(rf2, 1024, { seed: 7, sampler: 'euler', steps: 32 });
      const s2 = couplingStraightness(rf2, pairs2);

      const held = data.heldOut(1024).x;
      const oneStep = async (t: Trainer) => (await t.sample({ noise: new Rng(11).normals(2 * 1024), labels: pairs1.y, sampler: 'euler', steps: 1, guidance: 1 })).x;
      const sw = (x: Float32Array) => slicedWasserstein(x, held, 2, { rng: new Rng(3) });
      const sw1 = sw(await oneStep(rf1));
      const sw2 = sw(await oneStep(rf2));
      rf1.dispose();
      rf2.dispose();
      expect(s2).toBeLessThan(0.5 * s1);
      expect(sw2).toBeLessThan(0.8 * sw1);
    });
  },
  ['wasm'],
);
