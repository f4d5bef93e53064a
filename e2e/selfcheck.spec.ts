import { expect, test } from '@playwright/test';

// The attention variants (chunked, and flash's fused WGSL kernels) against naive attention, outputs and
// gradients within 1e-4, on WebGPU in Chromium (SwiftShader here) and on the browser's wasm backend.
for (const backend of ['webgpu', 'wasm']) {
  test(`attention self-check on ${backend} in Chromium`, async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`./selfcheck.html?backend=${backend}`);
    await page.waitForFunction(() => window.__selfcheck?.done === true, undefined, { timeout: 170_000 });
    const s = await page.evaluate(() => window.__selfcheck!);
    expect(s.error).toBeUndefined();
    expect(s.backend).toBe(backend);
    expect(s.rows.length).toBeGreaterThan(10);
    if (backend === 'webgpu') expect(s.rows.some((r) => r.name.includes('flash vs naive'))).toBe(true); // the fused kernels ran
    const failed = s.rows.filter((r) => !r.ok);
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(errors).toEqual([]);
  });
}
