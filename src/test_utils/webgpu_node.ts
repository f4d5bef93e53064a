// WebGPU in Node for tests and benches: the npm package `webgpu` (Dawn) provides navigator.gpu,
// here on SwiftShader (Vulkan on the CPU, about 1 GFLOP/s — keep sizes small).
//
// The dynamic loader reads LD_LIBRARY_PATH once, when the process starts, so the Node process
// itself must be started with WEBGPU_NODE_ENV in its environment, e.g.
//   LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node …
// vitest.webgpu.config.ts sets both before it forks its workers.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../core/backends';

export const WEBGPU_NODE_ENV: Readonly<Record<string, string>> = Object.freeze({
  LD_LIBRARY_PATH: '/usr/lib/chromium',
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
});

const envHint = Object.entries(WEBGPU_NODE_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');

/**
 * Installs navigator.gpu (Dawn) unless one exists and checks that an adapter is available.
 * Returns null on success, or the reason it is not available.
 */
export async function installNodeWebGPU(): Promise<string | null> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator?.gpu) {
    let webgpu: { create: (flags: string[]) => GPU; globals: object };
    try {
      webgpu = await import('webgpu');
    } catch (e) {
      return `the npm package 'webgpu' could not be loaded: ${(e as Error).message}`;
    }
    Object.assign(globalThis, webgpu.globals);
    Object.defineProperty(globalThis, 'navigator', {
      value: { ...(g.navigator ?? {}), gpu: webgpu.create([]), userAgent: 'node' },
      configurable: true,
      writable: true,
    });
  }
  const adapter = await g.navigator!.gpu!.requestAdapter().catch(() => null);
  if (!adapter) return `no WebGPU adapter; start Node with ${envHint}`;
  return null;
}

/**
 * installNodeWebGPU(), then selects the tfjs 'webgpu' backend through the app's own initBackend
 * (which registers the factory when tfjs-backend-webgpu was imported before navigator.gpu
 * existed, and asks for the adapter's limits). Null on success, else the reason.
 */
export async function useNodeWebGPU(): Promise<string | null> {
  const reason = await installNodeWebGPU();
  if (reason) return reason;
  try {
    await initBackend({ forced: 'webgpu', order: ['webgpu'] });
  } catch (e) {
    return `tfjs backend 'webgpu' failed to initialise (${(e as Error).message}); start Node with ${envHint}`;
  }
  return tf.getBackend() === 'webgpu' ? null : `tfjs chose '${tf.getBackend()}' instead of webgpu`;
}
