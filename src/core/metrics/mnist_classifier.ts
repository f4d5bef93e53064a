// A small MNIST classifier whose penultimate layer is the feature space of the Fréchet distance (FID's
// recipe with a network that fits MNIST) and whose predictions score class-conditional samples.
//
//   x [B, 28, 28, 1] in [−1, 1]
//   conv1 3×3, 1 → 16, pad 1, ReLU, 2×2 max-pool  → [B, 14, 14, 16]
//   conv2 3×3, 16 → 32, pad 1, ReLU, 2×2 max-pool → [B, 7, 7, 32]
//   fc1 1568 → 64, ReLU                            → features [B, 64]
//   fc2 64 → 10                                    → logits [B, 10]
//
// Convolutions are tf.conv2d with gradients written as forward convolutions (the WASM backend has no
// conv-filter gradient kernel). The weights ship as safetensors in PyTorch layout
// (`conv*.weight` [out, in, 3, 3], `fc*.weight` [out, in], fc1's input flattened channel-major as
// nn.Flatten does on NCHW), so the same file loads into the equivalent torch.nn.Sequential.

import * as tf from '@tensorflow/tfjs';
import { permute } from '../checkpoint';
import { decodeSafetensors, encodeSafetensors, type Tensor as SafeTensor } from '../formats/safetensors';
import { initValues, linear, type ParamSpec, type Params } from '../model/layers';
import type { Rng } from '../rng';

/** Where the shipped weights sit, relative to the app's root (and to `public/` on disk). */
export const CLASSIFIER_ASSET_PATH = 'models/mnist_classifier.safetensors';
export const CLASSIFIER_FORMAT = 'flow-playground/mnist-classifier';
export const CLASSIFIER_VERSION = '1';

const SIDE = 28;
const C1 = 16;
const C2 = 32;
const POOLED = SIDE / 4; // 7
/** Width of the feature layer (the Fréchet distance's space). */
export const FEATURE_DIM = 64;
export const CLASSIFIER_CLASSES = 10;
export const CLASSIFIER_ARCH = `conv3x3(1→${C1})-relu-maxpool2-conv3x3(${C1}→${C2})-relu-maxpool2-fc(${POOLED * POOLED * C2}→${FEATURE_DIM})-relu-fc(${FEATURE_DIM}→${CLASSIFIER_CLASSES})`;

/** Parameter specs in the tfjs layout: conv kernels [3, 3, in, out], linears [in, out]. */
export function classifierParamSpecs(): ParamSpec[] {
  const he = (fanIn: number) => ({ kind: 'normal' as const, std: Math.sqrt(2 / fanIn) }); // He et al. 2015, for ReLU
  const zeros = { kind: 'zeros' as const };
  const flat = POOLED * POOLED * C2;
  return [
    { name: 'conv1.weight', shape: [3, 3, 1, C1], init: he(9), trainable: true },
    { name: 'conv1.bias', shape: [C1], init: zeros, trainable: true },
    { name: 'conv2.weight', shape: [3, 3, C1, C2], init: he(9 * C1), trainable: true },
    { name: 'conv2.bias', shape: [C2], init: zeros, trainable: true },
    { name: 'fc1.weight', shape: [flat, FEATURE_DIM], init: he(flat), trainable: true },
    { name: 'fc1.bias', shape: [FEATURE_DIM], init: zeros, trainable: true },
    { name: 'fc2.weight', shape: [FEATURE_DIM, CLASSIFIER_CLASSES], init: { kind: 'xavier', fanIn: FEATURE_DIM, fanOut: CLASSIFIER_CLASSES }, trainable: true },
    { name: 'fc2.bias', shape: [CLASSIFIER_CLASSES], init: zeros, trainable: true },
  ];
}

/** Fresh weights from the Rng, in spec order (the same on every backend). */
export function initClassifierParams(rng: Rng): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const spec of classifierParamSpecs()) {
    const value = tf.tensor(initValues(spec, rng), spec.shape);
    out[spec.name] = tf.variable(value, true);
    value.dispose();
  }
  return out;
}

// 3×3 convolution, stride 1, zero padding 1 (PyTorch Conv2d(padding=1)) with kernels [3, 3, in, out].
// The forward pass is tf.conv2d on every backend; the gradients are written as forward convolutions too,
// since tfjs-wasm has no Conv2DBackpropFilter (im2col by pad, 9 slices and a concat, the other way round
// it, measured over 10× slower than the whole conv2d on wasm):
//   ∂x = conv2d(∂y, W′, same),  W′[a, b, o, c] = W[2 − a, 2 − b, c, o]   (flipped, in/out swapped)
//   ∂W[a, b, c, o] = Σ_{n,h,w} x̃[n, h + a, w + b, c]·∂y[n, h, w, o]
//        = conv2d(x̃ᵀ [C, H+2, W+2, N], ∂yᵀ [H, W, N, O], valid) [C, 3, 3, O], transposed to [3, 3, C, O]
// with x̃ the zero-padded input: the batch plays the role of the input channels.
function convFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  const xp = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]).transpose([3, 1, 2, 0]) as tf.Tensor4D; // [C, H+2, W+2, N]
  const f = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [H, W, N, O]
  return tf.conv2d(xp, f, 1, 'valid').transpose([1, 2, 0, 3]) as tf.Tensor4D; // [3, 3, C, O]
}

function convInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const flipped = tf.reverse(w, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D; // [3, 3, O, C]
  return tf.conv2d(dy, flipped, 1, 'same');
}

const convWithInputGrad = tf.customGrad((x, w, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
    gradFunc: (dy, saved) => [convInputGrad(dy as tf.Tensor4D, saved[1] as tf.Tensor4D), convFilterGrad(saved[0] as tf.Tensor4D, dy as tf.Tensor4D)],
  };
});

/** conv3x3(x) + bias; `inputGrad` false skips ∂x (the first layer's input is data). */
function conv3x3(x: tf.Tensor4D, p: Params, name: string, inputGrad: boolean): tf.Tensor4D {
  const w = p[`${name}.weight`] as tf.Tensor4D;
  const b = p[`${name}.bias`];
  if (inputGrad) return (convWithInputGrad(x, w) as tf.Tensor4D).add(b);
  const filterOnly = tf.customGrad((wt, save) => {
    (save as tf.GradSaveFunc)([]);
    return { value: tf.conv2d(x, wt as tf.Tensor4D, 1, 'same'), gradFunc: (dy) => [convFilterGrad(x, dy as tf.Tensor4D)] };
  });
  return (filterOnly(w) as tf.Tensor4D).add(b);
}

/** 2×2 max-pool, stride 2 (tf.maxPool's gradient, MaxPoolGrad, exists on every backend here). */
const maxPool2 = (x: tf.Tensor4D): tf.Tensor4D => tf.maxPool(x, 2, 2, 'valid');

/** Features (penultimate layer, after ReLU) and logits. Pure tensor function: call inside tf.tidy. */
export function classifierForward(p: Params, x: tf.Tensor): { features: tf.Tensor2D; logits: tf.Tensor2D } {
  if (x.rank !== 4 || x.shape[1] !== SIDE || x.shape[2] !== SIDE || x.shape[3] !== 1) {
    throw new Error(`classifier input: expected [B, ${SIDE}, ${SIDE}, 1] in [−1, 1], got [${x.shape}]`);
  }
  const B = x.shape[0];
  const h1 = maxPool2(tf.relu(conv3x3(x as tf.Tensor4D, p, 'conv1', false))); // [B, 14, 14, 16]
  const h2 = maxPool2(tf.relu(conv3x3(h1, p, 'conv2', true))); // [B, 7, 7, 32]
  const features = tf.relu(linear(h2.reshape([B, POOLED * POOLED * C2]), p, 'fc1')) as tf.Tensor2D; // [B, 64]
  const logits = linear(features, p, 'fc2') as tf.Tensor2D; // [B, 10]
  return { features, logits };
}

export interface MnistClassifier {
  params: Params;
  metadata: Record<string, string>;
  /** Accuracy on the held-out MNIST digits, as recorded in the file (null if absent). */
  testAccuracy: number | null;
  dispose(): void;
}

// PyTorch ↔ tfjs layouts. A conv kernel [out, in, 3, 3] and fc1's [out, 32·7·7] (viewed [out, 32, 7, 7])
// both become [(dy|h), (dx|w), in, out] → [rows, out] with the same permutation.
const TORCH_SHAPES: Record<string, number[]> = {
  'conv1.weight': [C1, 1, 3, 3],
  'conv2.weight': [C2, C1, 3, 3],
  'fc1.weight': [FEATURE_DIM, C2, POOLED, POOLED],
  'fc2.weight': [CLASSIFIER_CLASSES, FEATURE_DIM],
};

/** The shape a tensor has in the file: nn.Linear's fc1.weight is [out, in] = [64, 1568]. */
const fileShape = (name: string, fallback: number[]) => (name === 'fc1.weight' ? [FEATURE_DIM, POOLED * POOLED * C2] : (TORCH_SHAPES[name] ?? fallback));

function fromTorch(name: string, data: Float32Array): Float32Array {
  const shape = TORCH_SHAPES[name];
  if (!shape) return data;
  return permute(data, shape, shape.length === 4 ? [2, 3, 1, 0] : [1, 0]).data;
}

function toTorch(name: string, data: Float32Array): Float32Array {
  const shape = TORCH_SHAPES[name];
  if (!shape) return data;
  if (shape.length === 2) return permute(data, [shape[1], shape[0]], [1, 0]).data;
  const [o, c, h, w] = shape;
  return permute(data, [h, w, c, o], [3, 2, 0, 1]).data;
}

/** Safetensors bytes (PyTorch layout) from weights in the tfjs layout; `metadata` adds to the format fields. */
export function encodeClassifier(values: Record<string, Float32Array>, metadata: Record<string, string> = {}): Uint8Array {
  const tensors: Record<string, SafeTensor> = {};
  for (const spec of classifierParamSpecs()) {
    const v = values[spec.name];
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (!v || v.length !== n) throw new Error(`classifier: weight ${spec.name} needs ${n} values, got ${v?.length ?? 'none'}`);
    tensors[spec.name] = { dtype: 'F32', shape: fileShape(spec.name, spec.shape), data: toTorch(spec.name, v) };
  }
  return encodeSafetensors(tensors, { ...metadata, format: CLASSIFIER_FORMAT, version: CLASSIFIER_VERSION, arch: CLASSIFIER_ARCH });
}

/** Reads the classifier from safetensors bytes; throws naming the tensor that is missing or misshapen. */
export function decodeClassifier(bytes: ArrayBuffer | Uint8Array): { values: Record<string, Float32Array>; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== CLASSIFIER_FORMAT) throw new Error(`classifier: file format ${JSON.stringify(metadata.format ?? null)} is not ${CLASSIFIER_FORMAT}`);
  if (metadata.arch !== CLASSIFIER_ARCH) throw new Error(`classifier: architecture ${JSON.stringify(metadata.arch)} is not ${CLASSIFIER_ARCH}`);
  const values: Record<string, Float32Array> = {};
  for (const spec of classifierParamSpecs()) {
    const t = tensors[spec.name];
    const want = fileShape(spec.name, spec.shape);
    if (!t) throw new Error(`classifier: tensor ${spec.name} is missing`);
    if (t.dtype !== 'F32' || t.shape.join() !== want.join()) throw new Error(`classifier: tensor ${spec.name} is ${t.dtype} [${t.shape}], expected F32 [${want}]`);
    values[spec.name] = fromTorch(spec.name, t.data as Float32Array);
  }
  return { values, metadata };
}

/** Loads the classifier onto the active backend. */
export function loadClassifier(bytes: ArrayBuffer | Uint8Array): MnistClassifier {
  const { values, metadata } = decodeClassifier(bytes);
  const params: Params = {};
  for (const spec of classifierParamSpecs()) params[spec.name] = tf.tensor(values[spec.name], spec.shape);
  const acc = Number(metadata.testAccuracy);
  return {
    params,
    metadata,
    testAccuracy: metadata.testAccuracy !== undefined && Number.isFinite(acc) ? acc : null,
    dispose: () => Object.values(params).forEach((t) => t.dispose()),
  };
}

/** Penultimate-layer features [B, 64] of images [B, 28, 28, 1] in [−1, 1]. */
export function classifierFeatures(clf: MnistClassifier, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => classifierForward(clf.params, x).features);
}

/** Predicted class [B] (int32) of images [B, 28, 28, 1] in [−1, 1]. */
export function classifierPredict(clf: MnistClassifier, x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.argMax(classifierForward(clf.params, x).logits, 1) as tf.Tensor1D);
}

/** Features and predictions of n images given as a Float32Array (n·784), in batches; one readback per batch. */
export async function runClassifier(clf: MnistClassifier, x: Float32Array, batch = 250): Promise<{ n: number; features: Float32Array; predictions: Int32Array }> {
  const d = SIDE * SIDE;
  if (x.length % d !== 0) throw new Error(`classifier input: length ${x.length} is not a multiple of ${d} (28×28×1 images)`);
  const n = x.length / d;
  const features = new Float32Array(n * FEATURE_DIM);
  const predictions = new Int32Array(n);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const packed = tf.tidy(() => {
      const { features: f, logits } = classifierForward(clf.params, tf.tensor4d(x.subarray(start * d, (start + b) * d), [b, SIDE, SIDE, 1]));
      return tf.concat([f, tf.argMax(logits, 1).cast('float32').reshape([b, 1])], 1); // [b, 65]
    });
    const data = (await packed.data()) as Float32Array;
    packed.dispose();
    for (let i = 0; i < b; i++) {
      features.set(data.subarray(i * (FEATURE_DIM + 1), i * (FEATURE_DIM + 1) + FEATURE_DIM), (start + i) * FEATURE_DIM);
      predictions[start + i] = data[i * (FEATURE_DIM + 1) + FEATURE_DIM];
    }
  }
  return { n, features, predictions };
}
