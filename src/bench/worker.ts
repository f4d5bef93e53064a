// The bench page's worker: initialises the requested backend as the app does (our wasm SIMD kernels on,
// threads under cross-origin isolation), loads MNIST from the app's own asset and measures one job.
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../core/backends';
import { spawnBrowserGemmHelper } from '../worker/gemm_helper';
import { makeConfig } from '../core/config';
import { MNIST_ASSET_PATH } from '../core/data/mnist';
import { createDataset, datasetInfo } from '../core/data/registry';
import { matmulPeak, measureTraining } from './measure';
import type { PageJob, WorkerReply } from './protocol';

async function run(spec: PageJob & { assetBase: string }): Promise<WorkerReply> {
  const report = await initBackend({ forced: spec.backend, order: [spec.backend], gemmHelper: spec.gemmThreads === false ? undefined : spawnBrowserGemmHelper, wasmPaths: { 'tfjs-backend-wasm.wasm': plainUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl } });
  if (report.name !== spec.backend) throw new Error(`backend ${spec.backend} is not available: ${report.reason}`);
  const device =
    report.name === 'webgpu'
      ? `${report.adapter?.vendor ?? ''} ${report.adapter?.architecture ?? ''}`.trim()
      : `chromium wasm${report.wasm?.simd ? ' simd' : ''}${report.wasm?.simdKernels ? ` + our GEMM (${report.wasm.gemm}, ${report.wasm.gemmThreads} threads${report.wasm.sharedHeap ? ', shared heap' : ''})` : ''}, tfjs threads ${getThreadsCount()}${crossOriginIsolated ? ' (cross-origin isolated)' : ''}`;
  const config = makeConfig(spec.job.overrides);
  const assets = datasetInfo(config.dataset).needsAsset === 'mnist' ? { mnist: new Uint8Array(await (await fetch(`${spec.assetBase}${MNIST_ASSET_PATH}`)).arrayBuffer()) } : undefined;
  const peak = spec.peak === false ? undefined : await matmulPeak();
  const row = await measureTraining({ ...spec.job, config }, createDataset(config.dataset, assets), { backend: `chromium-${report.name}`, device, kind: spec.kind });
  if (peak) Object.assign(row, { peakGflops: peak, mfu: row.gflops / peak });
  return { ok: true, row };
}

self.onmessage = async (e: MessageEvent<PageJob & { assetBase: string }>) => {
  let reply: WorkerReply;
  try {
    reply = await run(e.data);
  } catch (err) {
    reply = { ok: false, error: (err as Error)?.message ?? String(err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
