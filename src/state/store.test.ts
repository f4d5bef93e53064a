import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkerEvent } from '../worker/protocol';
import { fakeClient, flush, metricsBatch } from './fake_client';
import { useApp } from './store';

const batch = (steps: number[], loss = 1) => metricsBatch(steps, loss);

const configured = (): WorkerEvent => ({
  type: 'configured',
  config: useApp.getState().config,
  params: 10,
  flopsPerStep: 1,
  dataset: { name: 'mnist', source: 'builtin', kind: 'image', shape: [28, 28, 1], numClasses: 10, classNames: [], description: '', size: 1 },
  attention: null,
});

describe('store and worker bridge', () => {
  const w = fakeClient();
  beforeAll(() => {
    (globalThis as unknown as { document: unknown }).document = { baseURI: 'http://localhost/' };
    useApp.getState().connect(w.client);
  });

  it('connects: init, sampling settings, then the URL’s config', () => {
    expect(w.sent.map((c) => c.type)).toEqual(['init', 'sampleSettings', 'configure']);
  });

  it('folds a burst of metrics into one update and appends them in order', async () => {
    w.emit(configured());
    const v0 = useApp.getState().seriesVersion;
    w.emit({ type: 'metrics', batch: batch([1, 2]) });
    w.emit({ type: 'metrics', batch: batch([3]) });
    await flush();
    const s = useApp.getState();
    expect(s.series.step).toEqual([1, 2, 3]);
    expect(s.step).toBe(3);
    expect(s.seriesVersion).toBe(v0 + 1);
  });

  it('a new config drops the old run’s metrics still in flight and starts fresh series', async () => {
    useApp.getState().setConfig({ lr: 0.002 });
    expect(w.sent.at(-1)).toMatchObject({ type: 'configure', config: { lr: 0.002 } });
    w.emit({ type: 'metrics', batch: batch([4]) }); // from the old run
    await flush();
    expect(useApp.getState().series.step).toEqual([]);
    w.emit(configured());
    w.emit({ type: 'metrics', batch: batch([1], 2) });
    await flush();
    expect(useApp.getState().series.loss).toEqual([2]);
  });

  it('a run the worker starts by itself (after an upload) also gets fresh series', async () => {
    w.emit(configured());
    await flush();
    expect(useApp.getState().series.step).toEqual([]);
  });

  it('form edits: a bad value is refused with its range; sampling settings do not restart training', () => {
    const n = w.sent.length;
    expect(useApp.getState().editField('depth', '99')).toMatch(/depth: .*\[1, 32\]/);
    expect(w.sent.length).toBe(n);
    expect(useApp.getState().editField('cfg', '3')).toBeNull();
    expect(w.sent.slice(n)).toEqual([{ type: 'sampleSettings', settings: { sampler: 'euler', steps: useApp.getState().config.sampleSteps, guidance: 3 } }]);
    expect(useApp.getState().config.cfg).toBe(3);
  });

  it('a story loads its URL', () => {
    useApp.getState().loadStory('solvers', 1);
    const s = useApp.getState();
    expect(s).toMatchObject({ preset: 'toy-2d', story: 'solvers' });
    expect(s.config).toMatchObject({ dataset: 'checkerboard', sampler: 'heun', sampleSteps: 4 });
    expect(w.sent.at(-1)).toMatchObject({ type: 'configure', config: { sampler: 'heun' } });
  });
});
