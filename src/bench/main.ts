// The bench page: takes a job from ?job= (JSON), runs it in a worker and publishes the row on window for
// the bench CLI (src/cli/bench_chromium.ts drives this page through Playwright).
import type { PageJob, WorkerReply } from './protocol';

const out = document.getElementById('out')!;
const state: NonNullable<Window['__bench']> = { done: false };
window.__bench = state;

const raw = new URLSearchParams(location.search).get('job');
if (raw) {
  const job = JSON.parse(raw) as PageJob;
  out.textContent = `running ${job.job.name} on ${job.backend}…`;
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<WorkerReply>) => {
    if (e.data.ok) {
      state.row = e.data.row;
      out.textContent = JSON.stringify(e.data.row, null, 1);
    } else {
      state.error = e.data.error;
      out.textContent = `error: ${e.data.error}`;
    }
    state.done = true;
    worker.terminate();
  };
  worker.onerror = (e) => {
    state.error = e.message;
    state.done = true;
  };
  worker.postMessage({ ...job, assetBase: new URL('./', location.href).href }); // the app's root, where data/ lives
}
