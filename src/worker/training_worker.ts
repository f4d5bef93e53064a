// Worker entry: tfjs and the GPU live here; the page only renders.

import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { decodeUploads } from './decode_images';
import type { Command, WorkerEvent } from './protocol';
import { TrainingSession } from './session';

setWasmPaths({ 'tfjs-backend-wasm.wasm': plainUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl });

const post = (e: WorkerEvent, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(e, transfer);

async function fetchAsset(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const session = new TrainingSession(post, fetchAsset, decodeUploads);
// Commands are handled in order. play/step only start the loop (they do not wait for it), so a pause
// right behind them is never stuck in this chain.
let chain: Promise<void> = Promise.resolve();
self.onmessage = (ev: MessageEvent<Command>) => {
  chain = chain.then(() => session.handle(ev.data));
};
self.onerror = (e) => post({ type: 'error', message: String((e as ErrorEvent).message ?? e) });
self.onunhandledrejection = (e: PromiseRejectionEvent) => post({ type: 'error', message: String(e.reason?.message ?? e.reason) });
