import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { encodeMnist } from './mnist';
import { createDataset, DATASETS, datasetInfo } from './registry';

describe('dataset registry', () => {
  it('lists the stable names', () => {
    expect(DATASETS).toEqual(['mnist', 'checkerboard', 'moons', '8gaussians', 'spirals', 'shapes16', 'shapes32']);
  });

  it.each(DATASETS.filter((n) => n !== 'mnist'))('%s: info matches the dataset it creates', (name) => {
    const info = datasetInfo(name);
    const ds = createDataset(name);
    expect(info.name).toBe(name);
    expect(ds).toMatchObject(info);
    expect(info.numClasses).toBeGreaterThanOrEqual(1);
    expect(info.classNames).toHaveLength(info.numClasses);
    expect(info.description.length).toBeGreaterThan(10);
    expect(info.description).not.toMatch(/\n/);
    expect(info.shape).toEqual(info.kind === 'points' ? [2] : [expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(ds.sample(new Rng(0), 3).y).toHaveLength(3);
  });

  it('creates mnist from its asset and explains a missing one', () => {
    expect(datasetInfo('mnist').needsAsset).toBe('mnist');
    expect(() => createDataset('mnist')).toThrow(/needs the asset data\/mnist\.bin.*npm run data/);
    expect(() => createDataset('mnist', { mnist: new Uint8Array(3) })).toThrow(/mnist asset: 3 bytes/);
    const labels = Uint8Array.from({ length: 1010 }, (_, i) => i % 10);
    const ds = createDataset('mnist', { mnist: encodeMnist(labels, new Uint8Array(1010 * 784)) });
    expect(ds.size).toBe(10);
  });

  it('names the field and the accepted names for an unknown dataset', () => {
    for (const bad of ['MNIST', 'toString', '__proto__', '']) {
      expect(() => datasetInfo(bad)).toThrow(/^dataset: unknown name .*; expected one of mnist, checkerboard, moons, 8gaussians, spirals, shapes16, shapes32$/);
      expect(() => createDataset(bad)).toThrow(/^dataset: unknown name/);
    }
  });
});
