// Datasets by stable name: a URL or checkpoint that names one today still opens later.
import { createMnist, MNIST_ASSET_PATH, MNIST_INFO } from './mnist';
import { createShapes, SHAPES16_INFO, SHAPES32_INFO } from './shapes';
import {
  CHECKERBOARD_INFO, createCheckerboard, createGaussians8, createMoons, createSpirals, GAUSSIANS8_INFO, MOONS_INFO, SPIRALS_INFO,
} from './toys';
import type { Dataset, DatasetInfo } from './types';

export interface DatasetAssets { mnist?: ArrayBuffer | Uint8Array }

const TABLE = {
  mnist: { info: MNIST_INFO, create: (a: DatasetAssets) => createMnist(requireMnist(a)) },
  checkerboard: { info: CHECKERBOARD_INFO, create: createCheckerboard },
  moons: { info: MOONS_INFO, create: createMoons },
  '8gaussians': { info: GAUSSIANS8_INFO, create: createGaussians8 },
  spirals: { info: SPIRALS_INFO, create: createSpirals },
  shapes16: { info: SHAPES16_INFO, create: () => createShapes(16) },
  shapes32: { info: SHAPES32_INFO, create: () => createShapes(32) },
} satisfies Record<string, { info: DatasetInfo; create: (assets: DatasetAssets) => Dataset }>;

export type { Batch, Dataset, DatasetInfo } from './types';
export type DatasetName = keyof typeof TABLE;
/** The stable names, in the order pickers show them. */
export const DATASETS = Object.keys(TABLE) as readonly DatasetName[];

export function isDatasetName(name: string): name is DatasetName {
  return Object.hasOwn(TABLE, name);
}

function lookup(name: string) {
  if (!isDatasetName(name)) throw new Error(`dataset: unknown name ${JSON.stringify(name)}; expected one of ${DATASETS.join(', ')}`);
  return TABLE[name];
}

export function datasetInfo(name: string): DatasetInfo {
  return lookup(name).info;
}

export function createDataset(name: string, assets: DatasetAssets = {}): Dataset {
  return lookup(name).create(assets);
}

function requireMnist(assets: DatasetAssets): ArrayBuffer | Uint8Array {
  if (!assets.mnist) throw new Error(`dataset mnist: needs the asset ${MNIST_ASSET_PATH} (build it with npm run data) passed as assets.mnist`);
  return assets.mnist;
}
