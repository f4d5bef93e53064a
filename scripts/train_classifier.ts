// Trains the MNIST classifier behind the FD and class-accuracy metrics (src/core/metrics/mnist_classifier.ts)
// on the training split of public/data/mnist.bin (9,000 digits; the last 100 of each class are held out),
// and writes public/models/mnist_classifier.safetensors with its held-out accuracy in the metadata.
// Deterministic from --seed: data order, augmentation and initial weights all come from one Rng.
//
// Usage: npx tsx scripts/train_classifier.ts [--seed S] [--epochs E] [--batch B] [--lr LR] [--out FILE] [--backend wasm|cpu]

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MNIST_HELD_OUT_PER_CLASS } from '../src/core/data/mnist';
import {
  CLASSIFIER_ASSET_PATH, classifierForward, encodeClassifier, initClassifierParams, loadClassifier, runClassifier,
} from '../src/core/metrics/mnist_classifier';
import { Rng } from '../src/core/rng';
import { ADAMW_DEFAULTS, adamwUpdate, type AdamWSlot } from '../src/core/train/adamw';
import { CliError, helpText, intFlag, parseArgs, runMain, type FlagSpec } from '../src/cli/args';
import { loadDataset, REPO_ROOT, setupBackend } from '../src/cli/node_env';

const FLAGS: Record<string, FlagSpec> = {
  seed: { value: true, help: 'random seed (default 0)' },
  epochs: { value: true, help: 'passes over the 9,000 training digits, in expectation (default 15)' },
  batch: { value: true, help: 'digits per step (default 128)' },
  lr: { value: true, help: 'peak AdamW learning rate (default 2e-3)' },
  out: { value: true, help: `output file (default public/${CLASSIFIER_ASSET_PATH})` },
  backend: { value: true, help: 'wasm (default) | cpu' },
  help: { value: false, help: 'this text' },
};

const SIDE = 28;
const MAX_SHIFT = 2;

/** Random translations by up to ±MAX_SHIFT pixels (background −1 fills in): the one augmentation. */
function shiftImages(x: Float32Array, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(x.length).fill(-1);
  const d = SIDE * SIDE;
  for (let i = 0; i < n; i++) {
    const dy = rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    const dx = rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    for (let r = 0; r < SIDE; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= SIDE) continue;
      for (let c = 0; c < SIDE; c++) {
        const sc = c - dx;
        if (sc >= 0 && sc < SIDE) out[i * d + r * SIDE + c] = x[i * d + sr * SIDE + sc];
      }
    }
  }
  return out;
}

/** Linear warmup then cosine decay to 0. */
const lrAt = (step: number, total: number, peak: number, warmup: number) =>
  step < warmup ? (peak * (step + 1)) / warmup : 0.5 * peak * (1 + Math.cos((Math.PI * (step - warmup)) / Math.max(1, total - warmup)));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.flags.help) {
    process.stdout.write(helpText('usage: npx tsx scripts/train_classifier.ts [flags]', FLAGS));
    return;
  }
  const seed = intFlag(args, 'seed', 0, 2 ** 31 - 1) ?? 0;
  const epochs = intFlag(args, 'epochs', 1, 1000) ?? 15;
  const batch = intFlag(args, 'batch', 1, 4096) ?? 128;
  const lrRaw = args.flags.lr?.[0] ?? '2e-3';
  const peakLr = Number(lrRaw);
  if (!(peakLr > 0 && peakLr < 1)) throw new CliError(`--lr: got ${JSON.stringify(lrRaw)}, expected a number in (0, 1)`);
  const outFile = args.flags.out?.[0] ?? path.join(REPO_ROOT, 'public', CLASSIFIER_ASSET_PATH);
  if (!outFile.endsWith('.safetensors')) throw new CliError(`--out: expected a .safetensors file, got ${JSON.stringify(outFile)}`);

  const backend = await setupBackend(args.flags.backend?.[0] ?? 'wasm');
  const ds = loadDataset('mnist');
  const heldN = 10 * MNIST_HELD_OUT_PER_CLASS;
  const test = ds.heldOut(heldN);
  const steps = Math.ceil((epochs * ds.size) / batch);
  const warmup = Math.min(100, Math.floor(steps / 10));
  process.stdout.write(`training the MNIST classifier on ${backend.name}: ${ds.size} digits, ${epochs} epochs = ${steps} steps of ${batch}, seed ${seed}\n`);

  const rng = new Rng(seed);
  const params = initClassifierParams(rng);
  const names = Object.keys(params);
  const slots: AdamWSlot[] = names.map((n) => ({ param: params[n], m: tf.variable(tf.zerosLike(params[n]), false), v: tf.variable(tf.zerosLike(params[n]), false) }));

  const evaluate = async (): Promise<number> => {
    const values: Record<string, Float32Array> = {};
    for (const n of names) values[n] = (await params[n].data()) as Float32Array;
    const clf = loadClassifier(encodeClassifier(values));
    const { predictions } = await runClassifier(clf, test.x);
    clf.dispose();
    let right = 0;
    for (let i = 0; i < heldN; i++) right += predictions[i] === test.y[i] ? 1 : 0;
    return right / heldN;
  };

  const t0 = performance.now();
  const perEpoch = Math.ceil(ds.size / batch);
  let lossAcc = 0;
  let lossCount = 0;
  for (let step = 0; step < steps; step++) {
    const b = ds.sample(rng, batch);
    const x = shiftImages(b.x, batch, rng);
    const lr = lrAt(step, steps, peakLr, warmup);
    const loss = tf.tidy(() => {
      const xT = tf.tensor4d(x, [batch, SIDE, SIDE, 1]);
      const yT = tf.oneHot(tf.tensor1d(b.y, 'int32'), 10);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yT, classifierForward(params, xT).logits) as tf.Scalar);
      adamwUpdate(slots, names.map((n) => grads[params[n].name]), 1, lr, step, { ...ADAMW_DEFAULTS, beta2: 0.999, weightDecay: 1e-4 });
      return tf.keep(value);
    });
    lossAcc += (await loss.data())[0];
    loss.dispose();
    lossCount++;
    if ((step + 1) % perEpoch === 0 || step === steps - 1) {
      const acc = await evaluate();
      process.stdout.write(`step ${step + 1}/${steps}  loss ${(lossAcc / lossCount).toFixed(4)}  held-out accuracy ${(100 * acc).toFixed(1)}%  ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
      lossAcc = 0;
      lossCount = 0;
    }
  }

  const values: Record<string, Float32Array> = {};
  for (const n of names) values[n] = (await params[n].data()) as Float32Array;
  const testAccuracy = await evaluate();
  const bytes = encodeClassifier(values, {
    testAccuracy: testAccuracy.toFixed(4),
    testSet: `mnist held-out ${heldN} (the last ${MNIST_HELD_OUT_PER_CLASS} digits of each class in public/data/mnist.bin)`,
    trainSet: `mnist training split (${ds.size} digits), random shifts of up to ±${MAX_SHIFT} px`,
    trainedBy: `npx tsx scripts/train_classifier.ts --seed ${seed} --epochs ${epochs} --batch ${batch} --lr ${lrRaw}`,
    steps: String(steps),
    backend: backend.name,
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, bytes);
  process.stdout.write(`wrote ${outFile} (${bytes.length} bytes): held-out accuracy ${(100 * testAccuracy).toFixed(2)}% on ${heldN} digits, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  for (const s of slots) {
    s.m.dispose();
    s.v.dispose();
  }
  for (const v of Object.values(params)) v.dispose();
}

void runMain(main);
