// A training client for store tests: records the commands the store sends and lets the test play the worker.
import type { TrainingClient } from '../worker/client';
import type { Command, WorkerEvent } from '../worker/protocol';

export function fakeClient() {
  const sent: Command[] = [];
  let listener: ((e: WorkerEvent) => void) | null = null;
  const client: TrainingClient = {
    send: (cmd) => void sent.push(cmd),
    subscribe: (fn) => {
      listener = fn;
      return () => (listener = null);
    },
    terminate: () => {},
  };
  return { client, sent, emit: (e: WorkerEvent) => listener!(e) };
}

/** Lets the store apply the events it batches. */
export const flush = () => new Promise<void>((r) => setTimeout(r, 0));
