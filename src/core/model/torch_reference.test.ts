// The TypeScript DiT against a PyTorch reference: weights, inputs and outputs written by
// scripts/torch/make_fixture.py (our PyTorch DiT, scripts/torch/dit.py, with the reference state_dict names).
// Loading the file exercises the PyTorch → tfjs layout conversion; the outputs check the whole forward pass.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { describeBackends, expectClose } from '../../test_utils/tf_backends';
import { decodeCheckpoint, permute } from '../checkpoint';
import { decodeSafetensors } from '../formats/safetensors';
import { buildNetwork } from '.';

const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'dit_torch_reference.safetensors');

describeBackends('DiT vs the PyTorch reference', () => {
  it('loads PyTorch weights and reproduces the PyTorch outputs', () => {
    const bytes = new Uint8Array(fs.readFileSync(FIXTURE));
    const { config, state, kind } = decodeCheckpoint(bytes);
    expect(kind).toBe('weights');
    const raw = decodeSafetensors(bytes).tensors;
    const net = buildNetwork(config);
    const x = raw['input.x'];
    const [B, C, H, W] = x.shape;
    const xNhwc = permute(x.data as Float32Array, x.shape, [0, 2, 3, 1]).data;
    const out = tf.tidy(() => {
      const p: Record<string, tf.Tensor> = {};
      for (const s of net.specs) p[s.name] = tf.tensor(state.params[s.name], s.shape);
      const y = net.forward(p, tf.tensor(xNhwc, [B, H, W, C]), tf.tensor1d(raw['input.t'].data as Float32Array), tf.tensor1d(raw['input.y'].data as Int32Array, 'int32'));
      return y;
    });
    const ours = permute(out.dataSync() as Float32Array, [B, H, W, C], [0, 3, 1, 2]).data;
    out.dispose();
    const ref = raw['output'].data as Float32Array;
    expect(Math.max(...ref.map(Math.abs))).toBeGreaterThan(0.1); // a non-trivial output
    expectClose(ours, ref, 2e-5, 1e-4);
  });
});
