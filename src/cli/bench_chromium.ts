// Chromium rows of `npm run bench -- train`: serves the app with Vite's dev server (which sends the COOP/COEP
// headers that give the wasm backend its threads), opens bench.html in Debian's Chromium through Playwright
// (WebGPU through SwiftShader where there is no GPU) and collects one row per job, a fresh page each.

import * as fs from 'node:fs';
import type { TrainRow } from '../bench/measure';
import type { PageJob } from '../bench/protocol';
import { REPO_ROOT } from './node_env';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

export interface ChromiumSession {
  run(job: PageJob, timeoutMs: number): Promise<TrainRow>;
  close(): Promise<void>;
}

/** Starts the dev server and the browser once; each run() opens a fresh page on bench.html. */
export async function openChromium(): Promise<ChromiumSession> {
  const { createServer } = await import('vite');
  const { chromium } = await import('playwright-core');
  const server = await createServer({ root: REPO_ROOT, configFile: `${REPO_ROOT}/vite.config.ts`, logLevel: 'error', server: { port: 0, host: '127.0.0.1', strictPort: false } });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite dev server did not report a URL');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
  return {
    async run(job, timeoutMs) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      try {
        await page.goto(`${url}bench.html?job=${encodeURIComponent(JSON.stringify(job))}`);
        await page.waitForFunction(() => window.__bench?.done === true, undefined, { timeout: timeoutMs, polling: 500 });
        const s = await page.evaluate(() => window.__bench!);
        if (s.error || !s.row) throw new Error(`${job.job.name} on chromium-${job.backend}: ${s.error ?? errors.join('; ')}`);
        return s.row;
      } finally {
        await page.close();
      }
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
