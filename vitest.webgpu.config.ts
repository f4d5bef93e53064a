// WebGPU tests in Node (Dawn on SwiftShader): `npx vitest run --config vitest.webgpu.config.ts`.
// Picks up src/**/*.webgpu.test.ts only. Dawn's Vulkan loader reads LD_LIBRARY_PATH when a
// process starts, so the variables are put into this process's environment here, before
// vitest forks its workers (pool 'forks'), and the workers start with them.
import { defineConfig } from 'vitest/config';

const WEBGPU_ENV = {
  LD_LIBRARY_PATH: '/usr/lib/chromium',
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
  FLOW_WEBGPU_TESTS: '1', // *.webgpu.test.ts fail (rather than skip) when WebGPU is missing
};
const ld = process.env.LD_LIBRARY_PATH;
Object.assign(process.env, WEBGPU_ENV, { LD_LIBRARY_PATH: ld ? `${WEBGPU_ENV.LD_LIBRARY_PATH}:${ld}` : WEBGPU_ENV.LD_LIBRARY_PATH });

export default defineConfig({
  test: {
    include: ['src/**/*.webgpu.test.ts'],
    environment: 'node',
    pool: 'forks',
    env: { ...WEBGPU_ENV, LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH! },
    // SwiftShader is slow and single device: one file at a time.
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
