// A checkpoint trained here loads with strict=True into the PyTorch DiT (scripts/torch/dit.py, the
// reference state_dict names) and gives the same outputs. Needs /usr/bin/python3 with torch (Debian's
// python3-torch); skipped, and said so, when it is absent.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectClose } from '../../src/test_utils/tf_backends';
import { encodeWeights, permute } from '../../src/core/checkpoint';
import { makeConfig } from '../../src/core/config';
import { createDataset } from '../../src/core/data/registry';
import { decodeSafetensors, encodeSafetensors } from '../../src/core/formats/safetensors';
import { Rng } from '../../src/core/rng';
import { Trainer } from '../../src/core/train/trainer';

const PY = '/usr/bin/python3';
const hasTorch = fs.existsSync(PY) && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn('parity.test: skipped (no /usr/bin/python3 with torch; apt-get install python3-torch)');

describeBackends('export → PyTorch', () => {
  it.skipIf(!hasTorch)('a trained checkpoint loads with strict=True and gives the same outputs', async () => {
    const c = makeConfig({ dataset: 'shapes16', patch: '4', dim: '32', depth: '2', heads: '2', batch: '8', lr: '0.02', warmup: '0' });
    const trainer = new Trainer(c, createDataset('shapes16'));
    for (let i = 0; i < 5; i++) trainer.trainStep(); // non-zero adaLN and final layer
    await trainer.flush();
    const state = await trainer.snapshot();
    trainer.dispose();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-'));
    const weights = path.join(dir, 'w.safetensors');
    fs.writeFileSync(weights, encodeWeights(c, state, false));
    const rng = new Rng(3);
    const B = 4;
    const xNhwc = rng.normals(B * 16 * 16 * 3);
    const t = Float32Array.from([0.01, 0.3, 0.7, 0.99]);
    const y = Int32Array.from([0, 1, 3, 4]);
    const xNchw = permute(xNhwc, [B, 16, 16, 3], [0, 3, 1, 2]).data;
    fs.writeFileSync(path.join(dir, 'in.safetensors'), encodeSafetensors({ x: { dtype: 'F32', shape: [B, 3, 16, 16], data: xNchw }, t: { dtype: 'F32', shape: [B], data: t }, y: { dtype: 'I32', shape: [B], data: y } }));
    const log = execFileSync(PY, ['scripts/torch/parity.py', weights, path.join(dir, 'in.safetensors'), path.join(dir, 'out.safetensors')], { encoding: 'utf8' });
    expect(JSON.parse(log.trim().split('\n').pop()!).strict).toBe(true);
    const theirs = decodeSafetensors(fs.readFileSync(path.join(dir, 'out.safetensors'))).tensors.out.data as Float32Array;
    const ours = tf.tidy(() => {
      const p: Record<string, tf.Tensor> = {};
      for (const [k, v] of Object.entries(state.params)) p[k] = tf.tensor(v, trainer.net.specs.find((s) => s.name === k)!.shape);
      return trainer.net.forward(p, tf.tensor(xNhwc, [B, 16, 16, 3]), tf.tensor1d(t), tf.tensor1d(y, 'int32'));
    });
    const oursNchw = permute(ours.dataSync() as Float32Array, [B, 16, 16, 3], [0, 3, 1, 2]).data;
    ours.dispose();
    expect(Math.max(...oursNchw.map(Math.abs))).toBeGreaterThan(1e-3);
    expectClose(oursNchw, theirs, 2e-5, 1e-4);
    fs.rmSync(dir, { recursive: true });
  });
}, ['wasm']);
