// Main-thread long tasks while the playground trains, over repeated runs, with the emulated GPU at Chromium's
// own priority or lowered (see e2e/pages/emulated_gpu.ts for why). Needs a served test build:
//   npm run -s build:test && npx vite preview --outDir dist-test --port 4199 &
//   npx tsx scripts/long_tasks.ts --url http://127.0.0.1:4199/ --runs 8 --seconds 30 [--nice 10]
// Prints one JSON line per run: the long tasks (start, duration in ms) after training started.

import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { lowerEmulatedGpuPriority } from '../e2e/pages/emulated_gpu';
import { TINY } from '../e2e/pages/playground';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:4199/' },
    runs: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '30' },
    nice: { type: 'string' },
  },
});

const ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type Win = Window & { __lt: [number, number][]; __fp?: { state(): { runState: string; step: number } } };

for (let run = 0; run < Number(values.runs); run++) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.addInitScript(() => {
    const w = window as unknown as Win;
    w.__lt = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__lt.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${values.url}?${TINY}`);
  for (;;) {
    const s = await page.evaluate(() => (window as unknown as Win).__fp?.state().runState);
    if (s === 'idle' || s === 'paused') break;
    await page.waitForTimeout(500);
  }
  await page.getByTestId('sample-every').selectOption('5');
  await page.getByTestId('panel-training').scrollIntoViewIfNeeded();
  const gpu = values.nice === undefined ? null : lowerEmulatedGpuPriority(Number(values.nice));
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('play').click();
  await page.waitForTimeout(Number(values.seconds) * 1000);
  await page.getByTestId('play').click();
  const r = await page.evaluate((from) => ({ longTasks: (window as unknown as Win).__lt.filter(([s]) => s >= from), step: (window as unknown as Win).__fp!.state().step }), t0);
  console.log(JSON.stringify({ run, nice: gpu ? gpu.nice : 'chromium', threads: gpu?.threads, ...r }));
  await browser.close();
}
