// The page's handle on the training worker: typed send, typed subscription.

import type { Command, WorkerEvent } from './protocol';

export type Listener = (e: WorkerEvent) => void;

export interface TrainingClient {
  send(cmd: Command, transfer?: Transferable[]): void;
  subscribe(fn: Listener): () => void;
  terminate(): void;
}

export function createTrainingClient(): TrainingClient {
  const worker = new Worker(new URL('./training_worker.ts', import.meta.url), { type: 'module', name: 'training' });
  const listeners = new Set<Listener>();
  worker.onmessage = (ev: MessageEvent<WorkerEvent>) => listeners.forEach((fn) => fn(ev.data));
  worker.onerror = (ev) => listeners.forEach((fn) => fn({ type: 'error', message: `worker failed: ${ev.message || 'unknown error'}` }));
  return {
    send: (cmd, transfer = []) => worker.postMessage(cmd, transfer),
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    terminate: () => worker.terminate(),
  };
}
