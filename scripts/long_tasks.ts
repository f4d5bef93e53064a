// Main-thread long tasks while the playground trains, over repeated runs, with the emulated GPU at Chromium's
// own priority or lowered (see e2e/pages/emulated_gpu.ts for why). Needs a served test build:
//   npm run -s build:test && npx vite preview --outDir dist-test --port 4199 &
//   npx tsx scripts/long_tasks.ts --url http://127.0.0.1:4199/ --runs 8 --seconds 30 [--nice 10]
// Prints one JSON line per run: the long tasks (start, duration in ms) after training started.

import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/pages/chromium';
import { lowerEmulatedGpuPriority } from '../e2e/pages/emulated_gpu';
import { Playground, TINY } from '../e2e/pages/playground';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:4199/' },
    runs: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '30' },
    nice: { type: 'string' },
  },
});

for (let run = 0; run < Number(values.runs); run++) {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, baseURL: values.url });
  const pg = new Playground(page);
  await pg.trackLongTasks();
  await pg.open(TINY);
  await page.getByTestId('sample-every').selectOption('5');
  await page.getByTestId('panel-training').scrollIntoViewIfNeeded();
  const gpu = values.nice === undefined ? null : lowerEmulatedGpuPriority(Number(values.nice));
  const t0 = await pg.now();
  await page.getByTestId('play').click();
  await page.waitForTimeout(Number(values.seconds) * 1000);
  await page.getByTestId('play').click();
  const longTasks = (await pg.longTasks(t0)).map((t) => [Math.round(t.start), Math.round(t.duration)]);
  console.log(JSON.stringify({ run, nice: gpu ? gpu.nice : 'chromium', threads: gpu?.threads, longTasks, step: (await pg.state()).step }));
  await browser.close();
}
