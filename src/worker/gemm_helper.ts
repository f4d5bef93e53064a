// The wasm GEMM's helper thread in the browser (src/core/ops/wasm_gemm_threads.ts): a worker started from
// a blob inside the training worker (the page is cross-origin isolated, so memory can be shared; the CSP
// allows blob workers).

import type { SpawnGemmHelper } from '../core/ops/wasm_gemm_threads';

export const spawnBrowserGemmHelper: SpawnGemmHelper = (init, loopSource) =>
  new Promise((resolve, reject) => {
    const source = `const run = ${loopSource};\nonmessage = (e) => { postMessage('ready'); run(e.data.module, e.data.memory); };`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.onerror = (e) => {
      URL.revokeObjectURL(url);
      reject(new Error(`GEMM helper: ${e.message}`));
    };
    w.onmessage = () => {
      URL.revokeObjectURL(url);
      resolve({ terminate: () => w.terminate() });
    };
    w.postMessage(init);
  });
