// Our kernels in place of a backend's own, for the cases they take (tfjs's kernel keeps the rest).

import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Registers `make(original)` as `backendName`'s `kernelName`, marked with `marker` so a second call is a
 * no-op. False, changing nothing, where the backend has no such kernel.
 */
export function overrideKernel(kernelName: string, backendName: string, marker: string, make: (original: (args: KernelArgs) => ReturnType<tf.KernelFunc>) => (args: KernelArgs) => ReturnType<tf.KernelFunc>): boolean {
  const original = tf.getKernel(kernelName, backendName);
  if (!original) return false;
  if (isOverridden(kernelName, backendName, marker)) return true;
  const originalFunc = original.kernelFunc;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc: make((args) => originalFunc(args as never)), [marker]: true } as tf.KernelConfig);
  return true;
}

/** Whether our kernel (`marker`) is the registered one. */
export function isOverridden(kernelName: string, backendName: string, marker: string): boolean {
  return (tf.getKernel(kernelName, backendName) as unknown as Record<string, unknown> | undefined)?.[marker] === true;
}
