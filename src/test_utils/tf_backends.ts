// Shared helpers for unit tests: run a suite on every Node backend and compare with tolerance.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect } from 'vitest';
import { enableWasmRelaxedSimd } from '../cli/wasm_features';

// PROD silences tfjs's Node banner. (IS_TEST would also turn on a kernel leak check that misfires on wasm's fused matMul.)
tf.env().set('PROD', true);
// The wasm GEMM's fused multiply-add, as in Chromium (Node 20 keeps relaxed SIMD behind a flag).
enableWasmRelaxedSimd();

export const NODE_BACKENDS = ['cpu', 'wasm'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

/** Runs the same suite once per Node backend (tfjs's own habit: one suite, every backend). */
export function describeBackends(name: string, fn: (backend: NodeBackend) => void, backends: readonly NodeBackend[] = NODE_BACKENDS): void {
  for (const backend of backends) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(() => useBackend(backend));
      fn(backend);
    });
  }
}

/** Element-wise |a - b| <= atol + rtol·|b|, with the worst offender in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 0): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) - rtol * Math.abs(expected[i]);
    if (!(err <= atol) && (worst < 0 || !(err <= worstErr))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    throw new Error(`arrays differ at [${worst}]: got ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Asserts that fn leaves tf.memory().numTensors unchanged. */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}
