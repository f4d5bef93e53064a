// A page that runs the core's self-checks on a browser backend (WebGPU in Chromium above all) and
// publishes the rows on window for the Playwright spec e2e/selfcheck.spec.ts.

import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { initBackend, isBackendName } from '../core/backends';
import { runAttentionSelfCheck, type SelfCheckRow } from '../core/attention/self_check';

declare global {
  interface Window {
    __selfcheck?: { backend: string; rows: SelfCheckRow[]; error?: string; done: boolean };
  }
}

async function main(): Promise<void> {
  const requested = new URLSearchParams(location.search).get('backend') ?? 'webgpu';
  const out = document.getElementById('out')!;
  const state: NonNullable<Window['__selfcheck']> = { backend: '', rows: [], done: false };
  window.__selfcheck = state;
  try {
    if (!isBackendName(requested)) throw new Error(`backend: unknown ${JSON.stringify(requested)}`);
    const report = await initBackend({ forced: requested, order: [requested], wasmPaths: { 'tfjs-backend-wasm.wasm': plainUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl } });
    state.backend = report.name;
    state.rows = await runAttentionSelfCheck();
    out.textContent = `${report.name}: ${state.rows.filter((r) => r.ok).length}/${state.rows.length} checks pass\n` + state.rows.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.maxErr.toExponential(2)}  ${r.name}`).join('\n');
  } catch (e) {
    state.error = (e as Error).message;
    out.textContent = `error: ${state.error}`;
  }
  state.done = true;
}

void main();
