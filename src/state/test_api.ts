// A small typed API on window for end-to-end tests (installed only in test builds, VITE_TEST_API=1):
// tests read state instead of waiting on pixels.

import { sampleSpread } from './sample_stats';
import { useApp, type AppState } from './store';

export interface TestApi {
  state(): { backend: string | null; runState: string; step: number; losses: number[]; samplesStep: number; samplesSpread: number; notices: string[]; config: AppState['config'] };
  samples(): { n: number; shape: number[]; x: number[] } | null;
  store: typeof useApp;
}

declare global {
  interface Window {
    __fp?: TestApi;
  }
}

export function installTestApi(): void {
  window.__fp = {
    state() {
      const s = useApp.getState();
      const spread = s.samples ? sampleSpread(s.samples) : 0;
      return { backend: s.report?.name ?? null, runState: s.runState, step: s.step, losses: [...s.series.loss], samplesStep: s.samples?.step ?? -1, samplesSpread: spread, notices: s.notices.map((n) => n.text), config: s.config };
    },
    samples() {
      const s = useApp.getState().samples;
      return s ? { n: s.n, shape: s.shape, x: Array.from(s.x) } : null;
    },
    store: useApp,
  };
}
