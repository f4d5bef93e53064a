// Identity (tf.clone) on wasm without a copy. tfjs saves every tensor a gradient needs as a clone
// (the engine's saveTensorsForBackwardMode and customGrad's save both keep(clone(t))), and tfjs-wasm 4.22's
// Identity copies the data, where the cpu, webgl and webgpu backends share it by reference count, as
// Reshape already does on wasm. In a wasm training step of mnist-tiny that was 326 copies of activations
// (8% of the step, and every saved activation twice in memory). Tensors are immutable; the one place we
// write memory in place, the fused AdamW, first gives a variable its own copy when its data is shared
// (ownData in fused_adamw.ts), so sharing is safe.

import type * as tf from '@tensorflow/tfjs';
import { isOverridden, overrideKernel } from './kernel_override';

const MARKER = 'flowShared';

let sharing = true;

/** Turns sharing off (tfjs's copying Identity) or on again: tests compare the two. */
export function useSharedIdentity(on: boolean): void {
  sharing = on;
}

interface IdentityArgs {
  inputs: { x: tf.TensorInfo };
  backend: { incRef(dataId: object): void };
}

/** Registers the sharing Identity on wasm (after the backend is initialised; idempotent). */
export function installSharedIdentity(): boolean {
  return overrideKernel('Identity', 'wasm', MARKER, (original) => (args) => {
    const { inputs, backend } = args as unknown as IdentityArgs;
    const { x } = inputs;
    if (!sharing || x.dtype === 'string') return original(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

/** Whether clones on wasm share their data (tests check it is installed). */
export function sharedIdentityInstalled(): boolean {
  return isOverridden('Identity', 'wasm', MARKER);
}
