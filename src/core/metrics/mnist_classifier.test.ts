import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectClose, expectNoLeak, useBackend } from '../../test_utils/tf_backends';
import { createDataset } from '../data/registry';
import { Rng } from '../rng';
import {
  CLASSIFIER_ASSET_PATH, classifierFeatures, classifierForward, classifierParamSpecs, classifierPredict, decodeClassifier, encodeClassifier,
  FEATURE_DIM, initClassifierParams, loadClassifier, runClassifier,
} from './mnist_classifier';
import { mnistBytes, shippedClassifierBytes } from './test_helpers';


/** Random weights in the tfjs layout. */
function randomValues(seed: number): Record<string, Float32Array> {
  const rng = new Rng(seed);
  const out: Record<string, Float32Array> = {};
  for (const s of classifierParamSpecs()) out[s.name] = rng.normals(s.shape.reduce((a, b) => a * b, 1)).map((v) => v * (s.name.endsWith('bias') ? 0.1 : 0.3));
  return out;
}

/**
 * The network written from its PyTorch definition on the file's tensors, NCHW, in plain JS:
 * Conv2d(1, 16, 3, padding=1) → ReLU → MaxPool2d(2) → Conv2d(16, 32, 3, padding=1) → ReLU → MaxPool2d(2)
 * → Flatten → Linear(1568, 64) → ReLU → Linear(64, 10). Returns [features, logits] of one image.
 */
function torchReference(t: Record<string, { shape: number[]; data: Float32Array }>, img: Float32Array): [Float64Array, Float64Array] {
  const conv = (x: Float64Array, C: number, S: number, name: string) => {
    const w = t[`${name}.weight`].data;
    const b = t[`${name}.bias`].data;
    const O = t[`${name}.weight`].shape[0];
    const y = new Float64Array(O * S * S);
    for (let o = 0; o < O; o++)
      for (let r = 0; r < S; r++)
        for (let c = 0; c < S; c++) {
          let s = b[o];
          for (let i = 0; i < C; i++)
            for (let dy = 0; dy < 3; dy++)
              for (let dx = 0; dx < 3; dx++) {
                const rr = r + dy - 1;
                const cc = c + dx - 1;
                if (rr >= 0 && rr < S && cc >= 0 && cc < S) s += w[((o * C + i) * 3 + dy) * 3 + dx] * x[(i * S + rr) * S + cc];
              }
          y[(o * S + r) * S + c] = Math.max(0, s);
        }
    return y;
  };
  const pool = (x: Float64Array, C: number, S: number) => {
    const h = S / 2;
    const y = new Float64Array(C * h * h);
    for (let i = 0; i < C; i++)
      for (let r = 0; r < h; r++)
        for (let c = 0; c < h; c++) {
          const at = (a: number, b: number) => x[(i * S + 2 * r + a) * S + 2 * c + b];
          y[(i * h + r) * h + c] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
        }
    return y;
  };
  const fc = (x: Float64Array, name: string, relu: boolean) => {
    const w = t[`${name}.weight`];
    const [O, I] = w.shape;
    const y = new Float64Array(O);
    for (let o = 0; o < O; o++) {
      let s = t[`${name}.bias`].data[o];
      for (let i = 0; i < I; i++) s += w.data[o * I + i] * x[i];
      y[o] = relu ? Math.max(0, s) : s;
    }
    return y;
  };
  const h1 = pool(conv(Float64Array.from(img), 1, 28, 'conv1'), 16, 28);
  const h2 = pool(conv(h1, 16, 14, 'conv2'), 32, 14); // [32, 7, 7], flattened channel-major as nn.Flatten does
  const features = fc(h2, 'fc1', true);
  return [features, fc(features, 'fc2', false)];
}

describe('mnist classifier', () => {
  it('the file is in PyTorch layout: the same network written on NCHW tensors gives the same features and logits', async () => {
    await useBackend('cpu');
    const bytes = encodeClassifier(randomValues(1));
    const { tensors } = (await import('../formats/safetensors')).decodeSafetensors(bytes);
    expect(tensors['conv2.weight'].shape).toEqual([32, 16, 3, 3]);
    expect(tensors['fc1.weight'].shape).toEqual([64, 1568]);
    const clf = loadClassifier(bytes);
    const imgs = new Rng(2).uniforms(2 * 784).map((u) => 2 * u - 1);
    const out = tf.tidy(() => {
      const { features, logits } = classifierForward(clf.params, tf.tensor4d(imgs, [2, 28, 28, 1]));
      return tf.concat([features, logits], 1);
    });
    const got = out.dataSync();
    out.dispose();
    const t = tensors as unknown as Record<string, { shape: number[]; data: Float32Array }>;
    for (let i = 0; i < 2; i++) {
      const [f, l] = torchReference(t, imgs.subarray(i * 784, (i + 1) * 784)); // the image is HWC = CHW for one channel
      expectClose(got.subarray(i * 74, i * 74 + 74), [...f, ...l], 1e-3, 1e-4);
    }
    clf.dispose();
  });

  it('round-trips through encode/decode and rejects a wrong file naming the tensor', () => {
    const v = randomValues(3);
    const back = decodeClassifier(encodeClassifier(v, { testAccuracy: '0.5' }));
    for (const k of Object.keys(v)) expect(Array.from(back.values[k])).toEqual(Array.from(v[k]));
    expect(back.metadata.testAccuracy).toBe('0.5');
    const short = { ...v, 'fc2.bias': new Float32Array(3) };
    expect(() => encodeClassifier(short)).toThrow(/fc2.bias needs 10 values/);
    expect(() => decodeClassifier(new Uint8Array(16))).toThrow(/safetensors|classifier/);
  });

  it('the conv and pool gradients written for wasm equal the tfjs gradients of the plain ops (cpu has every kernel)', async () => {
    await useBackend('cpu');
    const params = initClassifierParams(new Rng(4));
    const x = tf.tensor4d(new Rng(5).normals(3 * 784), [3, 28, 28, 1]);
    const ours = () => classifierForward(params, x).logits.square().sum() as tf.Scalar;
    const plain = () => {
      const block = (h: tf.Tensor4D, n: string) => tf.maxPool(tf.relu(tf.conv2d(h, params[`${n}.weight`] as tf.Tensor4D, 1, 'same').add(params[`${n}.bias`])) as tf.Tensor4D, 2, 2, 'valid');
      const f = tf.relu(block(block(x, 'conv1'), 'conv2').reshape([3, -1]).matMul(params['fc1.weight']).add(params['fc1.bias']));
      return f.matMul(params['fc2.weight']).add(params['fc2.bias']).square().sum() as tf.Scalar;
    };
    const g1 = tf.variableGrads(ours);
    const g2 = tf.variableGrads(plain);
    for (const v of Object.values(params)) expectClose(g1.grads[v.name].dataSync(), g2.grads[v.name].dataSync(), 1e-3, 1e-4);
    tf.dispose([g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads), x, ...Object.values(params)]);
  });

  it('gives the same outputs on cpu and wasm and leaks no tensors', async () => {
    const bytes = encodeClassifier(randomValues(6));
    const imgs = new Rng(7).uniforms(5 * 784).map((u) => 2 * u - 1);
    const outs: Float32Array[] = [];
    for (const b of ['cpu', 'wasm']) {
      await useBackend(b);
      const clf = loadClassifier(bytes);
      const r = await expectNoLeak(async () => {
        const x = tf.tensor4d(imgs, [5, 28, 28, 1]);
        const f = classifierFeatures(clf, x);
        const p = classifierPredict(clf, x);
        expect(f.shape).toEqual([5, FEATURE_DIM]);
        expect(p.shape).toEqual([5]);
        const both = await runClassifier(clf, imgs, 2); // batches of 2, 2, 1
        expect(Array.from(both.predictions)).toEqual(Array.from(p.dataSync()));
        expectClose(both.features, f.dataSync(), 1e-6);
        tf.dispose([x, f, p]);
        return both.features;
      });
      outs.push(r);
      clf.dispose();
    }
    expectClose(outs[1], outs[0], 1e-3, 1e-3);
  });

  it(`the shipped weights (public/${CLASSIFIER_ASSET_PATH}) classify 300 held-out digits with ≥ 97% accuracy, as their metadata states`, async () => {
    await useBackend('wasm');
    const clf = loadClassifier(shippedClassifierBytes());
    expect(clf.testAccuracy).toBeGreaterThanOrEqual(0.97);
    const held = createDataset('mnist', { mnist: mnistBytes() }).heldOut(300);
    const { predictions } = await runClassifier(clf, held.x);
    const acc = predictions.reduce((s, p, i) => s + (p === held.y[i] ? 1 : 0), 0) / 300;
    expect(acc).toBeGreaterThanOrEqual(0.97);
    clf.dispose();
  });
});
