// Gradient checkpointing (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost"): run a
// block without keeping its activations and recompute them in the backward pass.

import * as tf from '@tensorflow/tfjs';

interface EngineState {
  activeTape: unknown;
}

/**
 * Returns `fn(...inputs)` whose backward pass recomputes `fn` from the saved inputs. Every tensor `fn`
 * depends on (weights included) must be passed in `inputs`, so that its gradient flows.
 */
export function recompute(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): tf.Tensor {
  const g = tf.customGrad((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const xs = args as tf.Tensor[];
    // Inside customGrad's forward no tape is recorded and intermediates are freed on return.
    const value = fn(...xs);
    save(xs);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        // A nested tf.grads() starts a fresh tape and, on return, sets the engine's activeTape to null,
        // which the outer gradients() call still needs; keep it and put it back.
        const state = (tf.engine() as unknown as { state: EngineState }).state;
        const outerTape = state.activeTape;
        try {
          return tf.grads((...ys: tf.Tensor[]) => fn(...ys))(saved, dy as tf.Tensor);
        } finally {
          state.activeTape = outerTape;
        }
      },
    };
  });
  return g(...inputs);
}
