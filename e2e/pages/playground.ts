// Page object for the playground: navigation, controls, panels, screenshots, long-task measurement, and the
// test API's state (no pixel waiting).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import type { TestState } from '../../src/state/test_api';

/** What the page's test API reports (src/state/test_api.ts, installed in test builds). */
export type FpState = TestState;

/** A DiT small enough for WebGPU on SwiftShader: 16 tokens of width 16, one block. */
export const TINY = 'preset=mnist-tiny&patch=7&dim=16&depth=1&heads=2&batch=16&lr=0.01&warmup=0&sampleSteps=4';
/** The 2D toy preset, shrunk the same way. */
export const TINY_2D = 'preset=toy-2d&dim=16&depth=1&batch=32&lr=0.01&warmup=0&sampleSteps=8';

export const PANELS = ['controls', 'setup', 'upload', 'system', 'stories', 'training', 'samples', 'schedule', 'timesteps', 'attention'] as const;
export const SCREENSHOTS = 'artifacts/screenshots';

export interface LongTask {
  start: number;
  duration: number;
}

export class Playground {
  readonly consoleErrors: string[] = [];

  constructor(readonly page: Page) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  /**
   * Records every main-thread task over 50 ms (Long Tasks API) from the first script on, and the long
   * animation frames (LoAF) with the script time inside them, to tell our work from time the OS gave to
   * other threads.
   */
  async trackLongTasks(): Promise<void> {
    await this.page.addInitScript(() => {
      const w = window as unknown as { __longTasks: LongTask[]; __loaf: { start: number; duration: number; scriptMs: number; scripts: string[] }[] };
      w.__longTasks = [];
      w.__loaf = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as unknown as { startTime: number; duration: number; scripts: { duration: number; invoker: string; sourceFunctionName: string }[] }[]) {
            w.__loaf.push({ start: e.startTime, duration: e.duration, scriptMs: e.scripts.reduce((a, x) => a + x.duration, 0), scripts: e.scripts.map((x) => `${x.invoker} ${x.sourceFunctionName} ${x.duration.toFixed(0)}ms`) });
          }
        }).observe({ type: 'long-animation-frame', buffered: true });
      } catch {
        // LoAF is Chromium 123+; the long tasks above are what the test asserts on.
      }
    });
  }

  /** Long animation frames between two page times (for the figure: how much of each was our script). */
  longFrames(from: number, to = Infinity): Promise<{ start: number; duration: number; scriptMs: number; scripts: string[] }[]> {
    return this.page.evaluate(([a, b]) => (window as unknown as { __loaf: { start: number; duration: number; scriptMs: number; scripts: string[] }[] }).__loaf.filter((t) => t.start >= a && t.start <= b), [from, to] as const);
  }

  now(): Promise<number> {
    return this.page.evaluate(() => performance.now());
  }

  longTasks(from: number, to = Infinity): Promise<LongTask[]> {
    return this.page.evaluate(([a, b]) => (window as unknown as { __longTasks: LongTask[] }).__longTasks.filter((t) => t.start >= a && t.start <= b), [from, to] as const);
  }

  async open(query = TINY): Promise<void> {
    await this.page.goto(`./?${query}`);
    await expect(this.page.getByTestId('backend-badge')).not.toHaveAttribute('data-backend', '', { timeout: 60_000 });
    await this.waitFor((s) => s.runState === 'idle' || s.runState === 'paused');
  }

  state(): Promise<FpState> {
    return this.page.evaluate(() => window.__fp!.state());
  }

  /** Polls the test API until `pred` holds; `every` ms apart (each poll is a main-thread task of the page). */
  async waitFor(pred: (s: FpState) => boolean, timeout = 150_000, every = 200): Promise<FpState> {
    const t0 = Date.now();
    for (;;) {
      const s = await this.state();
      if (pred(s)) return s;
      if (Date.now() - t0 > timeout) throw new Error(`timed out waiting; last state ${JSON.stringify({ ...s, losses: s.losses.length })}`);
      await this.page.waitForTimeout(every);
    }
  }

  backend(): Promise<string | null> {
    return this.page.getByTestId('backend-badge').getAttribute('data-backend');
  }

  /** Runs exactly n steps with the Step control's command and waits for their metrics. */
  async steps(n: number): Promise<FpState> {
    const before = (await this.state()).step;
    await this.page.evaluate((k) => window.__fp!.store.getState().stepOnce(k), n);
    return this.waitFor((s) => s.step >= before + n && s.runState !== 'running');
  }

  /** Types a value into a Setup field and applies it (Enter), as a user would. */
  async setField(key: string, value: string): Promise<void> {
    const f = this.page.getByTestId(`field-${key}`);
    await f.fill(value);
    await f.press('Enter');
  }

  panel(id: string): Locator {
    return this.page.getByTestId(`panel-${id}`);
  }

  /** A 1280×720 screenshot of one panel (or the viewport) under artifacts/screenshots/. */
  async shot(name: string, target?: Locator): Promise<string> {
    const path = `${SCREENSHOTS}/${name}.png`;
    mkdirSync(dirname(path), { recursive: true });
    if (target) {
      await target.scrollIntoViewIfNeeded();
      await target.screenshot({ path });
    } else await this.page.screenshot({ path });
    return path;
  }
}

/** Writes a figure the tests measured, for the report and CI artifacts. */
export function writeFigure(name: string, value: unknown): void {
  mkdirSync('artifacts', { recursive: true });
  writeFileSync(`artifacts/${name}.json`, JSON.stringify(value, null, 2));
}
