// The wasm GEMM's helper thread in Node (src/core/ops/wasm_gemm_threads.ts): a worker_threads Worker running
// the helper loop on the shared scratch memory. Unreferenced, so a finished CLI run exits without stopping it.

import { Worker } from 'node:worker_threads';
import type { SpawnGemmHelper } from '../core/ops/wasm_gemm_threads';

export const spawnNodeGemmHelper: SpawnGemmHelper = (init, loopSource) =>
  new Promise((resolve, reject) => {
    const code = `const { parentPort } = require('node:worker_threads');
const run = ${loopSource};
parentPort.once('message', (d) => { parentPort.postMessage('ready'); run(d.module, d.memory); });`;
    const w = new Worker(code, { eval: true });
    w.unref();
    w.once('error', reject);
    w.once('message', () => resolve({ terminate: () => void w.terminate() }));
    w.postMessage(init);
  });
