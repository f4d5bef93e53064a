import { expect, test } from '@playwright/test';
import { Playground, TINY } from './pages/playground';

test.describe('engine in the browser', () => {
  test('loads without console errors, runs on webgpu, learns, and draws samples', async ({ page }) => {
    const pg = new Playground(page);
    await pg.open();
    expect(await pg.backend()).toBe('webgpu');
    await expect(page.getByTestId('backend-reason')).toContainText('webgpu');

    const s = await pg.steps(24);
    expect(s.losses).toHaveLength(24);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Rectified flow starts at E‖ε − x0‖² (the network outputs zero): the loss must fall clearly.
    expect(mean(s.losses.slice(-6))).toBeLessThan(0.8 * mean(s.losses.slice(0, 6)));

    const after = await pg.waitFor((x) => x.samplesStep === 24);
    expect(after.samplesSpread).toBeGreaterThan(0.05); // a non-blank grid
    await expect(page.getByTestId('sample-canvas')).toBeVisible();
    const spread = Number(await page.getByTestId('sample-canvas').getAttribute('data-spread'));
    expect(spread).toBeGreaterThan(0.05);
    await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '24');
    await page.screenshot({ path: 'artifacts/screenshots/engine-first-page.png' });
    expect(pg.consoleErrors).toEqual([]);
  });

  test('the same steps on webgpu, wasm and cpu agree', async ({ browser }) => {
    const losses: Record<string, number[]> = {};
    for (const backend of ['webgpu', 'wasm', 'cpu']) {
      const page = await browser.newPage();
      const pg = new Playground(page);
      await pg.open(`${TINY}&backend=${backend}`);
      expect(await pg.backend()).toBe(backend);
      // On wasm the GEMM's helper worker started (shared memory under cross-origin isolation, a blob worker).
      // It works in place on tfjs's heap, made a shared memory at start-up (wasm_shared_heap.ts).
      if (backend === 'wasm') expect(await pg.state()).toMatchObject({ gemmThreads: 2, sharedHeap: true });
      losses[backend] = (await pg.steps(6)).losses;
      await page.close();
    }
    expect(losses.wasm).toHaveLength(6);
    losses.wasm.forEach((l, i) => expect(Math.abs(l - losses.cpu[i])).toBeLessThanOrEqual(1e-3 * Math.abs(losses.cpu[i])));
    // Same seed → same weights, data, timesteps and noise (drawn in JS); only float rounding differs.
    // Stated tolerance: 1e-3 relative per step over 6 steps of training.
    expect(losses.webgpu).toHaveLength(6);
    losses.webgpu.forEach((l, i) => expect(Math.abs(l - losses.cpu[i])).toBeLessThanOrEqual(1e-3 * Math.abs(losses.cpu[i])));
  });

  test('a bad URL parameter shows a message and falls back to the default', async ({ page }) => {
    const pg = new Playground(page);
    await pg.open(`${TINY}&dim=banana&sampler=warp`);
    const s = await pg.state();
    expect(s.config.dim).toBe(64); // mnist-tiny's default
    expect(s.config.sampler).toBe('euler');
    await expect(page.getByTestId('notices')).toContainText('dim');
    await expect(page.getByTestId('notices')).toContainText('sampler');
  });
});
