// tfjs in Node: the wasm backend by default (tfjs-node cannot be installed here), cpu on request, and
// webgpu through the `webgpu` package (Dawn) where a Vulkan driver is present.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, isBackendName, type BackendReport } from '../core/backends';
import { MNIST_ASSET_PATH } from '../core/data/mnist';
import { createDataset, datasetInfo, type Dataset } from '../core/data/registry';
import { CliError } from './args';
import { spawnNodeGemmHelper } from './gemm_helper_node';
import { enableWasmRelaxedSimd } from './wasm_features';

tf.env().set('PROD', true); // silences tfjs's "install tfjs-node" banner; shape checks stay on

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

async function installNodeWebGPU(): Promise<void> {
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) return;
  const dawn = await import('webgpu').catch(() => null);
  if (!dawn) throw new CliError('--backend webgpu needs the npm package `webgpu` (Dawn for Node)');
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]), userAgent: 'node' }, configurable: true, writable: true });
}

export async function setupBackend(name = 'wasm', opts: { wasmSimdKernels?: boolean; gemmThreads?: boolean } = {}): Promise<BackendReport> {
  if (!isBackendName(name) || name === 'webgl') throw new CliError(`--backend: got ${JSON.stringify(name)}, expected one of wasm, cpu, webgpu`);
  if (name === 'wasm') enableWasmRelaxedSimd();
  if (name === 'webgpu') await installNodeWebGPU();
  const report = await initBackend({ forced: name, order: [name], wasmSimdKernels: opts.wasmSimdKernels, gemmHelper: opts.gemmThreads === false ? undefined : spawnNodeGemmHelper });
  return report;
}

export function mnistAssetPath(): string {
  return path.join(REPO_ROOT, 'public', MNIST_ASSET_PATH);
}

/** Loads a dataset by name, reading the MNIST asset from public/data when it is needed. */
export function loadDataset(name: string): Dataset {
  const info = datasetInfo(name);
  if (info.needsAsset === 'mnist') {
    const file = mnistAssetPath();
    if (!fs.existsSync(file)) throw new CliError(`dataset mnist: ${file} is missing; run \`npm run data\` first`);
    return createDataset(name, { mnist: new Uint8Array(fs.readFileSync(file)) });
  }
  return createDataset(name);
}
