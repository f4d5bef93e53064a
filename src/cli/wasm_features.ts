// WebAssembly features Node 20 keeps behind V8 flags that Chromium turns on by default. Relaxed SIMD (Chromium
// 114+) gives our GEMM its fused multiply-add (src/core/ops/wasm_batch_matmul.ts); without the flag the GEMM
// falls back to plain SIMD, so this only has to run before the first matrix product is compiled.

import { setFlagsFromString } from 'node:v8';

export function enableWasmRelaxedSimd(): void {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 22) setFlagsFromString('--experimental-wasm-relaxed-simd'); // on by default from V8 11.4 (Node 22's V8 is 12.4)
}
