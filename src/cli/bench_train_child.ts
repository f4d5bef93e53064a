// One `npm run bench -- train` measurement in a process of its own (a fresh wasm heap per config, and the
// environment Dawn needs for Node WebGPU): tsx src/cli/bench_train_child.ts '<json>' prints one JSON row.
// The json: { backend: 'wasm' | 'webgpu' | 'cpu', job: BenchJob with config overrides, kind? }.

import * as tf from '@tensorflow/tfjs';
import { matmulPeak, measureTraining, type BenchJob } from '../bench/measure';
import { makeConfig } from '../core/config';
import { CliError, runMain } from './args';
import { loadDataset, setupBackend } from './node_env';

export interface ChildJob {
  backend: string;
  job: Omit<BenchJob, 'config'> & { overrides: Record<string, string | number> };
  kind?: 'speed' | 'endurance';
  peak?: boolean; // measure the backend's matMul peak first (default on)
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new CliError('usage: bench_train_child.ts <json job>');
  const spec = JSON.parse(raw) as ChildJob;
  const report = await setupBackend(spec.backend);
  const device =
    report.name === 'webgpu'
      ? `Dawn ${report.adapter?.vendor ?? ''} ${report.adapter?.architecture ?? ''}`.trim()
      : report.name === 'wasm'
        ? `node wasm${report.wasm?.simd ? ' simd' : ''}${report.wasm?.simdKernels ? ` + our GEMM (${report.wasm.gemm}, ${report.wasm.gemmThreads} threads${report.wasm.sharedHeap ? ', shared heap' : ''})` : ''}, tfjs 1 thread`
        : report.name;
  const config = makeConfig(spec.job.overrides);
  const peak = spec.peak === false ? undefined : await matmulPeak(report.name === 'cpu' ? 256 : undefined);
  const row = await measureTraining({ ...spec.job, config }, loadDataset(config.dataset), { backend: `node-${report.name}`, device, kind: spec.kind });
  if (peak) Object.assign(row, { peakGflops: peak, mfu: row.gflops / peak });
  process.stdout.write(JSON.stringify(row) + '\n');
  // Dawn keeps the process alive; the row is out.
  tf.disposeVariables();
  process.exit(0);
}

void runMain(main);
