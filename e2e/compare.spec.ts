// The compare view in Chromium: two tiny runs that differ only in the timestep sampler, queued and trained
// one after the other, shown side by side (curves, grids from the same noise, the differing setting),
// exported as CSV, loaded from a sweep file, and shared as a link.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { toJSON } from '../src/core/compare/export';
import { makeConfig } from '../src/core/config';
import { Playground, SCREENSHOTS, TINY } from './pages/playground';

const STEPS = 3;

test.describe('compare runs', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let pg: Playground;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    pg = new Playground(page);
    await pg.open(`${TINY}&timesteps=uniform`);
  });
  test.afterAll(async () => {
    await page.close();
  });

  test('two runs differing only in the timestep sampler, queued and trained in turn, side by side', async () => {
    const compare = pg.panel('compare');
    await compare.scrollIntoViewIfNeeded();
    await page.getByTestId('compare-enqueue').click();
    await pg.setField('timesteps', 'logit-normal:0,1');
    await pg.waitFor((s) => s.config.timesteps === 'logit-normal:0,1');
    await page.getByTestId('compare-enqueue').click();
    await expect(page.getByTestId('compare-queue-item')).toHaveCount(2);
    await page.getByTestId('compare-steps').fill(String(STEPS));
    await page.getByTestId('compare-run-queue').click();
    const s = await pg.waitFor((x) => x.runs.length === 2 && !x.queueActive, 170_000, 500);

    expect(s.runs.map((r) => [r.timesteps, r.steps])).toEqual([
      ['uniform', STEPS],
      ['logit-normal:0,1', STEPS],
    ]);
    expect(s.runs.every((r) => r.lossPoints === STEPS && r.lossByTBins > 0)).toBe(true);
    // Same seed, so the same fixed noise and labels for both grids.
    expect(s.runs[0].fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(s.runs[1].fingerprint).toBe(s.runs[0].fingerprint);

    await expect(page.getByTestId('compare-run')).toHaveCount(2);
    await expect(page.getByTestId('compare-loss-chart').locator('[data-lines]')).toHaveAttribute('data-lines', '2');
    await expect(page.getByTestId('compare-loss-chart').locator('.recharts-line')).toHaveCount(2);
    await expect(page.getByTestId('compare-lossbyt-chart').locator('[data-lines]')).toHaveAttribute('data-lines', '2');
    await expect(page.getByTestId('compare-diff-table')).toHaveAttribute('data-keys', 'timesteps');
    await expect(page.getByTestId('compare-diff-key-timesteps')).toBeVisible();
    const grids = page.getByTestId('compare-grid');
    await expect(grids).toHaveCount(2);
    const prints = await page.getByTestId('compare-grid-fingerprint').allTextContents();
    expect(prints).toEqual([s.runs[0].fingerprint, s.runs[0].fingerprint]);
    await expect(page.getByTestId('compare-fingerprint-note')).toHaveAttribute('data-agree', 'true');
    for (const img of await grids.locator('img').all()) expect(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
    expect(pg.consoleErrors).toEqual([]);
  });

  test('exports CSV with a header and one line per run; charts and grids as PNG', async () => {
    const csvDownload = page.waitForEvent('download');
    await page.getByTestId('compare-export-csv').click();
    const csv = await csvDownload;
    expect(csv.suggestedFilename()).toBe('compare.csv');
    const text = readFileSync((await csv.path())!, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^run,timesteps,seed,steps,lossFirst,lossLast,/);
    // Queued runs are named by what sets them apart; a name with a comma is quoted.
    expect(lines[1]).toMatch(new RegExp(`^timesteps=uniform,uniform,0,${STEPS},`));
    expect(lines[2]).toMatch(new RegExp(`^"timesteps=logit-normal:0,1","logit-normal:0,1",0,${STEPS},`));

    for (const id of ['compare-loss-chart', 'compare-grids']) {
      const dl = page.waitForEvent('download');
      await page.getByTestId(`${id}-png`).click();
      const png = readFileSync((await (await dl).path())!);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      mkdirSync(SCREENSHOTS, { recursive: true });
      writeFileSync(`${SCREENSHOTS}/${id}.png`, png);
      // Drawn, not blank: count the colours of the picture in the page.
      const colours = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return seen.size;
      }, png.toString('base64'));
      expect(colours, id).toBeGreaterThan(8);
    }
  });

  test('quality against NFE of the current run, measured in the worker', async () => {
    test.setTimeout(300_000); // 64 samples at 4 + 8 + 32 solver steps, guided: about a minute on SwiftShader
    await page.getByTestId('compare-evaluate').click();
    await expect(page.getByTestId('compare-evaluate')).toHaveText('Measuring quality…');
    const s = await pg.waitFor((x) => x.quality !== null, 280_000, 1000);
    expect(s.quality!.step).toBe(STEPS);
    expect(s.quality!.sw).toHaveLength(3);
    expect(s.quality!.sw.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(s.quality!.nfe[0]).toBeLessThan(s.quality!.nfe[2]);
    await expect(page.getByTestId('compare-evaluate')).toHaveText('Quality measured ✓');
    expect(pg.consoleErrors).toEqual([]);
  });

  test('screenshot of the compare view (1280×720)', async () => {
    await page.mouse.move(0, 0); // no tooltip in the picture
    await page.getByTestId('compare-loss-chart').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(300);
    await pg.shot('compare');
  });

  test('duplicate a run: the changed setting is highlighted in Setup', async () => {
    await page.getByTestId('compare-duplicate-0').click();
    await pg.waitFor((x) => x.config.timesteps === 'uniform');
    await expect(page.getByTestId('setup-baseline')).toHaveAttribute('data-changed', '');
    await pg.setField('timesteps', 'mode:1.29');
    await expect(page.getByTestId('setup-baseline')).toHaveAttribute('data-changed', 'timesteps');
    await expect(page.getByTestId('field-timesteps-was')).toContainText('uniform');
    expect((await pg.state()).baselineChanged).toEqual(['timesteps']);
  });

  test('a sweep file loads with its quality rows; a broken one is refused, naming the field, and nothing is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp-compare-'));
    const config = makeConfig({ timesteps: 'mode:1.29' });
    const q = (steps: number, sw: number) => ({ sampler: 'euler' as const, steps, nfe: steps, guidance: 2, fd: null, classAccuracy: null, sw, straightness: 0.1, pathRatio: 0.9, seconds: 1 });
    const record = { name: 'timesteps=mode:1.29', config, diff: { timesteps: 'mode:1.29' }, steps: 100, lossFirst: 1, lossLast: 0.5, lossMin: 0.4, lossCurve: { step: [50, 100], loss: [0.8, 0.5] }, diverged: null, seconds: 10, msPerStep: 100, imgPerSec: 640, params: 1000, backend: 'wasm', eval: null, quality: [q(4, 0.3), q(8, 0.2), q(32, 0.1)] };
    const good = join(dir, 'sweep.json');
    writeFileSync(good, toJSON([record], { preset: 'mnist-tiny' }));
    const bad = join(dir, 'broken.json');
    writeFileSync(bad, toJSON([{ ...record, quality: [{ ...q(4, 0.3), nfe: 'four' as unknown as number }] }]));

    await page.getByTestId('compare-import').setInputFiles(bad);
    await expect(page.getByTestId('compare-message')).toContainText('runs[0].quality[0].nfe: expected a finite number');
    expect((await pg.state()).runs).toHaveLength(2);

    await page.getByTestId('compare-import').setInputFiles(good);
    await pg.waitFor((x) => x.runs.length === 3);
    expect((await pg.state()).runs[2]).toMatchObject({ origin: 'file', timesteps: 'mode:1.29', fingerprint: null });
    await expect(page.getByTestId('compare-quality-chart').locator('[data-lines]')).toHaveAttribute('data-lines', '1');
    await expect(page.getByTestId('compare-quality-chart').locator('.recharts-line-dots circle')).toHaveCount(3);
  });

  test('the share link opens the comparison’s configs in the queue; the runs survive a reload', async () => {
    const url = await page.evaluate(() => window.__fp!.store.getState().comparisonUrl());
    expect(url).toContain('compare=');
    await page.goto(url!);
    await expect(page.getByTestId('backend-badge')).not.toHaveAttribute('data-backend', '', { timeout: 60_000 });
    const s = await pg.waitFor((x) => x.queued === 3);
    const queued = await page.evaluate(() => window.__fp!.store.getState().queue.map((q) => q.config.timesteps));
    expect(queued).toEqual(['uniform', 'logit-normal:0,1', 'mode:1.29']);
    expect(s.runs.map((r) => r.timesteps)).toEqual(['uniform', 'logit-normal:0,1', 'mode:1.29']); // from localStorage
    expect(s.notices.some((n) => /Shared comparison|unreadable/.test(n) && !/in the queue/.test(n))).toBe(false);
    expect(pg.consoleErrors).toEqual([]);
  });
});
