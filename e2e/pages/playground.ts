// Page object for the playground: navigation, controls, and the test API's state (no pixel waiting).

import { expect, type Page } from '@playwright/test';

export interface FpState {
  backend: string | null;
  runState: string;
  step: number;
  losses: number[];
  samplesStep: number;
  samplesSpread: number;
  notices: string[];
  config: Record<string, unknown>;
}

/** A DiT small enough for WebGPU on SwiftShader: 16 tokens of width 16, one block. */
export const TINY = 'preset=mnist-tiny&patch=7&dim=16&depth=1&heads=2&batch=16&lr=0.01&warmup=0&sampleSteps=4';

export class Playground {
  readonly consoleErrors: string[] = [];

  constructor(readonly page: Page) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  async open(query = TINY): Promise<void> {
    await this.page.goto(`./?${query}`);
    await expect(this.page.getByTestId('backend-badge')).not.toHaveAttribute('data-backend', '', { timeout: 60_000 });
    await this.waitFor((s) => s.runState === 'idle' || s.runState === 'paused');
  }

  state(): Promise<FpState> {
    return this.page.evaluate(() => window.__fp!.state() as unknown as FpState);
  }

  async waitFor(pred: (s: FpState) => boolean, timeout = 150_000): Promise<FpState> {
    const t0 = Date.now();
    for (;;) {
      const s = await this.state();
      if (pred(s)) return s;
      if (Date.now() - t0 > timeout) throw new Error(`timed out waiting; last state ${JSON.stringify({ ...s, losses: s.losses.length })}`);
      await this.page.waitForTimeout(200);
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
}
