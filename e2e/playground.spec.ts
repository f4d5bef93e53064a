// The playground's panels, controls and URL in Chromium (WebGPU through SwiftShader, tiny models).
// One page trains through the serial block (shaders compile once); the other tests need no training.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { encodePng } from '../src/core/formats/png';
import { STORIES } from '../src/state/stories';
import { lowerEmulatedGpuPriority } from './pages/emulated_gpu';
import { PANELS, Playground, TINY, TINY_2D, writeFigure } from './pages/playground';

test.describe('a training run, panel by panel', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let pg: Playground;
  /** Long tasks seen while training ran (asserted last, so a slow machine does not hide the other checks). */
  let responsiveness: { longTasks: number; maxTaskMs: number; tasks: unknown[]; frames: unknown[] } | null = null;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    pg = new Playground(page);
    await pg.trackLongTasks();
    await pg.open(TINY);
  });
  test.afterAll(async () => {
    await page.close();
  });

  test('first load: no console errors, and every panel renders with data', async () => {
    for (const id of PANELS) await expect(pg.panel(id)).toBeVisible();
    const s = await pg.waitFor((x) => x.schedules && x.previewN > 0);
    expect(s.backend).toBe('webgpu');
    await expect(page.getByTestId('schedule-strip')).toHaveAttribute('data-rows', '1');
    await expect(page.getByTestId('schedule-chart')).toHaveAttribute('data-paths', 'rf');
    await page.getByTestId('compare-cosine').check();
    await expect(page.getByTestId('schedule-strip')).toHaveAttribute('data-rows', '2');
    await expect(page.getByTestId('timestep-chart')).toBeVisible();
    await expect(page.getByTestId('data-preview')).toHaveAttribute('data-n', '8');
    await expect(page.getByTestId('upload-privacy')).toContainText('stay in this browser');
    await expect(page.getByTestId('attention-info')).toContainText('16 tokens');
    await expect(page.getByTestId('backend-reason')).toContainText('webgpu');
    await expect(page.getByTestId('story-body')).toContainText('logit-normal');
    expect(pg.consoleErrors).toEqual([]);
  });

  test('start, pause, step and reset by mouse and keyboard', async () => {
    await page.getByTestId('sample-every').selectOption('0'); // no sampling between steps here
    await page.getByTestId('step').click();
    await pg.waitFor((s) => s.step === 1 && s.runState === 'paused');
    await expect(page.getByTestId('step-count')).toContainText('1');
    await page.locator('h1').click(); // focus outside any control
    await page.keyboard.press('s');
    await pg.waitFor((s) => s.step === 2 && s.runState === 'paused');

    await page.getByTestId('play').click();
    await pg.waitFor((s) => s.runState === 'running');
    await pg.waitFor((s) => s.step >= 4);
    await page.getByTestId('play').click(); // now "Pause"
    const paused = await pg.waitFor((s) => s.runState === 'paused');
    await page.waitForTimeout(1500);
    expect((await pg.state()).step).toBe(paused.step); // it really stopped

    // Space with the Train button focused: one toggle, not two (the shortcut wins over the button's click).
    await page.getByTestId('play').focus();
    await page.keyboard.press('Space');
    await pg.waitFor((s) => s.runState === 'running');
    await page.waitForTimeout(300);
    expect((await pg.state()).runState).toBe('running');
    await page.keyboard.press('Space');
    await pg.waitFor((s) => s.runState === 'paused');

    await page.keyboard.press('r');
    const reset = await pg.waitFor((s) => s.step === 0 && s.runState === 'idle');
    expect(reset.losses).toEqual([]);
    await page.getByTestId('step').click();
    await pg.waitFor((s) => s.step === 1 && s.runState === 'paused');
    await page.getByTestId('reset').click();
    await pg.waitFor((s) => s.step === 0 && s.runState === 'idle');
    await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '0');
    expect(pg.consoleErrors).toEqual([]);
  });

  test('the loss chart and the sample grid update while training (long tasks recorded)', async () => {
    await page.getByTestId('sample-every').selectOption('5');
    await page.getByTestId('panel-training').scrollIntoViewIfNeeded();
    // SwiftShader's GPU process computes on our CPU cores at display priority; on real hardware that work is
    // off the CPU. Put it below the page so the measurement is of the page (see pages/emulated_gpu.ts).
    const gpu = lowerEmulatedGpuPriority();
    expect(gpu.threads, 'the GPU process of this browser was found').toBeGreaterThan(0);
    const t0 = await pg.now();
    await page.getByTestId('play').click();
    // Poll gently: each poll is itself a task on the page's main thread.
    const first = await pg.waitFor((s) => s.samplesStep >= 5, 150_000, 1000);
    const pointsEarly = Number(await page.getByTestId('loss-chart').getAttribute('data-points'));
    expect(pointsEarly).toBeGreaterThan(0);
    const second = await pg.waitFor((s) => s.samplesStep >= first.samplesStep + 5, 150_000, 1000);
    await page.getByTestId('play').click();
    const end = await pg.waitFor((s) => s.runState === 'paused', 150_000, 1000);
    const t1 = await pg.now();
    await expect(page.getByTestId('sample-canvas')).toHaveAttribute('data-step', String(end.samplesStep));
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThan(pointsEarly);
    expect(second.samplesSpread).toBeGreaterThan(0.05);
    expect(end.samplesFrames).toBe(5); // 4 solver steps: 5 frames in the trajectory strip
    await expect(page.getByTestId('trajectory-strip')).toHaveAttribute('data-frames', '5');
    expect(end.tDrawn).toBe(end.step * 16);
    expect(end.lossByTColumns).toBeGreaterThan(1);
    await expect(page.getByTestId('loss-heatmap')).toBeVisible();
    for (const id of ['chart-gradnorm', 'chart-lr', 'chart-speed', 'chart-memory']) expect(Number(await page.getByTestId(id).getAttribute('data-points'))).toBeGreaterThan(1);

    // Responsiveness while training ran (shader warm-up of the sampler included): Long Tasks API entries,
    // with the long animation frames around them (script time inside each) to show whose time it was.
    const tasks = await pg.longTasks(t0, t1);
    const frames = await pg.longFrames(t0, t1);
    const figure = {
      windowMs: Math.round(t1 - t0),
      steps: end.step,
      longTasks: tasks.length,
      maxTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
      maxScriptMsInLongFrames: frames.reduce((m, f) => Math.max(m, f.scriptMs), 0),
      emulatedGpu: gpu,
      tasks,
      frames,
    };
    writeFigure('long_tasks', figure);
    test.info().annotations.push({ type: 'long tasks', description: `${tasks.length} tasks over 50 ms in ${figure.windowMs} ms of training (${end.step} steps); longest ${figure.maxTaskMs.toFixed(0)} ms` });
    console.log(`long tasks while training: ${JSON.stringify({ ...figure, tasks: undefined, frames: undefined })}`);
    responsiveness = figure;
  });

  test('attention: the variants are measured and the maps follow the query patch', async () => {
    await pg.panel('attention').scrollIntoViewIfNeeded();
    await expect(page.getByTestId('attention-maps')).toHaveAttribute('data-heads', '2');
    await page.getByTestId('attention-lengths').selectOption({ index: 0 });
    await page.getByTestId('attention-measure').click();
    const s = await pg.waitFor((x) => x.attentionBenchRows.length === 8 && !x.attentionBenchRows.some((r) => r.status === 'ok' && !r.peakBytes), 120_000);
    expect(s.attentionBenchRows.every((r) => r.status === 'ok')).toBe(true);
    const peak = (kind: string, N: number) => s.attentionBenchRows.find((r) => r.kind === kind && r.N === N)!.peakBytes!;
    // Naive keeps the N×N scores for the backward pass: its memory grows faster than flash's (fused, O(N)).
    const growth = (kind: string) => peak(kind, 128) / peak(kind, 32);
    expect(growth('naive'), JSON.stringify(s.attentionBenchRows)).toBeGreaterThan(growth('flash'));
    await expect(page.getByTestId('attention-memory-chart')).toBeVisible();
    await expect(page.getByTestId('attention-bench-table')).toContainText('128');

    const img = page.getByTestId('attention-image');
    const box = (await img.boundingBox())!;
    await img.click({ position: { x: box.width * 0.9, y: box.height * 0.9 } }); // bottom-right patch of 4×4
    await expect(page.getByTestId('attention-maps')).toHaveAttribute('data-query', '15');
    await page.getByTestId('attention-head-1').click();
    await expect(page.getByTestId('attention-head-1')).toHaveAttribute('aria-pressed', 'true');
    expect(pg.consoleErrors).toEqual([]);
  });

  test('screenshots of every panel at 1280×720, light and dark', async () => {
    expect(page.viewportSize()).toEqual({ width: 1280, height: 720 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await pg.shot('page-light');
    for (const id of PANELS) await pg.shot(`panel-${id}`, pg.panel(id));
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.evaluate(() => window.scrollTo(0, 0));
    await pg.shot('page-dark');
    await pg.shot('panel-training-dark', pg.panel('training'));
    await pg.shot('panel-schedule-dark', pg.panel('schedule'));
    await page.getByTestId('theme-toggle').click();
  });

  test('while training ran, no main-thread task took longer than 50 ms (Long Tasks API)', async () => {
    expect(responsiveness, 'the training test records the figure').not.toBeNull();
    const r = responsiveness!;
    expect(r.tasks, `main-thread tasks over 50 ms: ${JSON.stringify(r.tasks)}; long animation frames: ${JSON.stringify(r.frames)}`).toEqual([]);
  });
});

test('each preset and each story loads its settings', async ({ page }) => {
  const pg = new Playground(page);
  await pg.open(TINY);
  for (const name of ['mnist-small', 'toy-2d', 'shapes-rgb', 'mnist-tiny']) {
    await page.getByTestId('preset-select').selectOption(name);
    const s = await pg.waitFor((x) => x.preset === name && x.runState === 'idle');
    const own = await page.evaluate((n) => window.__fp!.preset(n), name);
    expect(s.config).toMatchObject(own);
    expect(s.query).toBe(`?preset=${name}`);
  }
  for (const story of STORIES) {
    await page.getByTestId(`story-${story.id}`).click();
    await expect(page.getByTestId('story-body')).toHaveAttribute('data-story', story.id);
    for (let i = 0; i < story.variants.length; i++) {
      await page.getByTestId(`story-${story.id}-${i}`).click();
      const want = await page.evaluate((q) => window.__fp!.parse(q), story.variants[i].query);
      const s = await pg.waitFor((x) => x.story === story.id && JSON.stringify(x.config) === JSON.stringify(want.config) && x.runState === 'idle');
      expect(s.preset).toBe(want.preset);
      // The address bar now holds the story's experiment: parsing it gives the same settings.
      expect((await page.evaluate((q) => window.__fp!.parse(q), s.query)).config).toEqual(want.config);
    }
  }
  expect(pg.consoleErrors).toEqual([]);
});

// Every setting away from its default (a valid combination), plus a forced backend.
const EVERY_SETTING: Record<string, string> = {
  dataset: 'shapes16',
  model: 'dit',
  dim: '24',
  depth: '2',
  heads: '6',
  kvHeads: '3',
  patch: '2',
  attention: 'chunked',
  checkpointing: 'true',
  batch: '12',
  steps: '345',
  lr: '0.0025',
  warmup: '7',
  weightDecay: '0.01',
  gradClip: '0.5',
  ema: '0.995',
  labelDropout: '0.2',
  path: 'cosine',
  prediction: 'eps',
  timesteps: 'beta:2,1.5',
  shift: '2.5',
  weighting: 'min-snr:5',
  sampler: 'heun',
  sampleSteps: '6',
  grid: 'karras',
  cfg: '3.5',
  seed: '4242',
};

test('a URL with every setting round-trips', async ({ page }) => {
  const pg = new Playground(page);
  const query = new URLSearchParams({ preset: 'mnist-tiny', ...EVERY_SETTING, backend: 'webgpu' }).toString();
  await pg.open(query);
  const s = await pg.state();
  expect(s.notices).toEqual([]);
  const typed = await page.evaluate((q) => window.__fp!.parse(q), query);
  expect(typed.errors).toEqual([]);
  expect(s.config).toEqual(typed.config);
  for (const [k, v] of Object.entries(EVERY_SETTING)) expect(String(s.config[k as keyof typeof s.config]), k).toBe(v);
  // The page writes the experiment back: every setting that differs from the preset is in the address bar
  // (all of them here but the model, which follows the dataset).
  const written = new URLSearchParams(s.query);
  for (const k of Object.keys(EVERY_SETTING)) expect(written.get(k), k).toBe(k === 'model' ? null : EVERY_SETTING[k]);
  expect(written.get('backend')).toBe('webgpu');
  // Copying the URL reproduces the run: a fresh page on it reads the same experiment.
  const again = await page.context().newPage();
  const pg2 = new Playground(again);
  await pg2.open(s.query.slice(1));
  expect((await pg2.state()).config).toEqual(s.config);
  await expect(again.getByTestId('field-timesteps')).toHaveValue('beta:2,1.5');
  await expect(again.getByTestId('field-path')).toHaveValue('cosine');
  await again.close();
  expect(pg.consoleErrors).toEqual([]);
});

test('a URL with bad values shows a message per field and uses the defaults', async ({ page }) => {
  const pg = new Playground(page);
  await pg.open('preset=mnist-tiny&dim=banana&lr=-1&sampler=warp&timesteps=logit-normal:0&depth=2.5&nonsense=1&seed=7');
  const s = await pg.state();
  // Every bad value falls back to what the preset (or the schema) gives; the good one (seed) is kept.
  const clean = (await page.evaluate(() => window.__fp!.parse('preset=mnist-tiny&seed=7'))).config;
  expect(s.config).toEqual(clean);
  expect(s.config.seed).toBe(7);
  const notices = page.getByTestId('notices');
  for (const field of ['dim', 'lr', 'sampler', 'timesteps', 'depth', 'nonsense']) await expect(notices).toContainText(field);
  await expect(notices).toContainText('integer in [8, 1024]');
  expect(s.query).toBe('?preset=mnist-tiny&seed=7'); // the bad values are gone from the address bar
  // Inline validation in the form names the range before anything is applied.
  await page.getByTestId('field-depth').fill('99');
  await expect(page.getByTestId('field-depth-error')).toContainText('[1, 32]');
  await page.getByTestId('field-depth').press('Enter');
  expect((await pg.state()).config.depth).toBe(4);
});

test('your own images: a dropped folder trains in the browser with folder labels', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-upload-'));
  for (const [label, value] of [['circles', 220], ['squares', 40]] as const) {
    mkdirSync(join(dir, 'mine', label), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const w = 40 + 10 * i;
      const px = new Uint8Array(w * 30).map((_, k) => (k % 7 === 0 ? 255 - value : value));
      writeFileSync(join(dir, 'mine', label, `${i}.png`), encodePng(px, w, 30, 1));
    }
  }
  writeFileSync(join(dir, 'mine', 'notes.txt'), 'not an image');
  const pg = new Playground(page);
  await pg.open(TINY);
  await page.getByTestId('upload-folder').setInputFiles(join(dir, 'mine'));
  const s = await pg.waitFor((x) => x.dataset?.source === 'upload' && x.runState === 'idle');
  expect(s.dataset).toMatchObject({ source: 'upload', size: 6, numClasses: 2 });
  expect(s.previewN).toBe(6);
  await expect(page.getByTestId('upload-status')).toContainText('6 of your images');
  await expect(page.getByTestId('upload-status')).toContainText('circles, squares');
  await expect(page.getByTestId('data-preview')).toHaveAttribute('data-source', 'upload');
  await expect(pg.panel('upload')).toContainText('1 file(s) skipped');
  await pg.shot('panel-upload-yours', pg.panel('upload'));
  await page.getByTestId('upload-clear').click();
  await pg.waitFor((x) => x.dataset?.source === 'builtin');
  expect(pg.consoleErrors).toEqual([]);
});

test('a 2D toy run shows particles moving along the learned field', async ({ page }) => {
  const pg = new Playground(page);
  await pg.open(TINY_2D);
  await page.getByTestId('sample-every').selectOption('5');
  await pg.steps(5);
  const s = await pg.waitFor((x) => x.samplesStep === 5 && x.fieldTimes === 11);
  expect(s.samplesFrames).toBe(9); // 8 Euler steps
  const particles = page.getByTestId('particles');
  await particles.scrollIntoViewIfNeeded();
  await expect(particles).toHaveAttribute('data-step', '5');
  expect(Number(await particles.getAttribute('data-moved'))).toBeGreaterThan(0.05);
  // Animated: the time shown and the frames drawn move on.
  const read = async () => ({ frame: Number(await particles.getAttribute('data-frame')), t: Number(await particles.getAttribute('data-t')) });
  const a = await read();
  await page.waitForTimeout(700);
  const b = await read();
  expect(b.frame).toBeGreaterThan(a.frame);
  expect(b.t).not.toBe(a.t);
  await pg.shot('panel-samples-2d', pg.panel('samples'));
  expect(pg.consoleErrors).toEqual([]);
});

test('a diverged run says what happened and offers a safer restart', async ({ page }) => {
  const pg = new Playground(page);
  await pg.open(TINY);
  const lr = (await pg.state()).config.lr as number;
  // The worker's detection is unit-tested (src/worker/session.test.ts); here the page's side of it.
  // A late state event from the worker (it is still settling after the first configure) can overwrite the
  // injected state: inject again until the banner shows.
  const banner = page.getByTestId('diverged');
  await expect(async () => {
    await page.evaluate(() => window.__fp!.store.setState({ runState: 'diverged', stateMessage: 'the loss became NaN at step 7.' }));
    await expect(banner).toContainText('NaN at step 7', { timeout: 2000 });
  }).toPass({ timeout: 60_000 });
  await expect(banner).toContainText('lower learning rate');
  await expect(page.getByTestId('play')).toBeDisabled();
  await pg.shot('panel-controls-diverged', pg.panel('controls'));
  await page.getByTestId('diverged-lower-lr').click();
  const s = await pg.waitFor((x) => x.runState === 'idle');
  expect(s.config.lr).toBeCloseTo(lr / 3, 12);
  await expect(banner).toHaveCount(0);
  expect(new URLSearchParams(s.query).get('lr')).toBe(String(lr / 3));
});
