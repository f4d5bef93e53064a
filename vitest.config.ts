import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/*.webgpu.test.ts', '**/node_modules/**'], // vitest.webgpu.config.ts runs those
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: one worker per core keeps tfjs wasm from thrashing.
    maxWorkers: 2,
  },
});
