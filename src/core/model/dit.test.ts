import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeBackends, expectClose, useBackend } from '../../test_utils/tf_backends';
import { Rng } from '../rng';
import { ditForward, ditParamSpecs, patchify, unpatchify, type DiTShape } from './dit';
import { geluTanh, initValues, sincos2d, timestepEmbedding, type Params } from './layers';

const tiny: DiTShape = { imageSize: 8, channels: 2, patch: 2, dim: 16, depth: 2, heads: 2, kvHeads: 2, numClasses: 3 };

function makeParams(s: DiTShape, seed: number, randomiseZeros: boolean): Params {
  const rng = new Rng(seed);
  const p: Params = {};
  for (const spec of ditParamSpecs(s)) {
    const init = randomiseZeros && spec.init.kind === 'zeros' ? ({ kind: 'normal', std: 0.2 } as const) : spec.init;
    p[spec.name] = tf.tensor(initValues({ ...spec, init }, rng), spec.shape);
  }
  return p;
}

function inputs(s: DiTShape, B: number, seed: number) {
  const rng = new Rng(seed);
  const x = tf.tensor(rng.normals(B * s.imageSize * s.imageSize * s.channels), [B, s.imageSize, s.imageSize, s.channels]);
  const t = tf.tensor1d(rng.uniforms(B));
  const y = tf.tensor1d(Array.from({ length: B }, (_, i) => i % (s.numClasses + 1)), 'int32');
  return { x, t, y };
}

describe('closed forms', () => {
  beforeAll(() => useBackend('cpu'));
  it('2D sin-cos positions: [sin(cω), cos(cω), sin(rω), cos(rω)], ω_k = 10000^(−k/(D/4))', () => {
    const D = 8;
    const e = sincos2d(D, 3);
    // token (r=1, c=2) is index 5; D/4 = 2 so ω = [1, 10000^(−1/2) = 0.01]
    const tok = Array.from(e.slice(5 * D, 6 * D));
    expectClose(tok, [Math.sin(2), Math.sin(0.02), Math.cos(2), Math.cos(0.02), Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01)], 1e-7);
    // token (0, 0) is [0, 0, 1, 1, 0, 0, 1, 1]
    expectClose(Array.from(e.slice(0, D)), [0, 0, 1, 1, 0, 0, 1, 1], 0);
  });

  it('timestep embedding of 1000·t: [cos(1000t·f_i), sin(1000t·f_i)], f_i = exp(−ln(10⁴)·i/128)', () => {
    const emb = tf.tidy(() => timestepEmbedding(tf.tensor1d([0, 0.5 * 1000]), 256));
    const v = emb.dataSync();
    emb.dispose();
    expect(v[0]).toBe(1); // cos(0)
    expect(v[128]).toBe(0); // sin(0)
    const f1 = Math.exp(-Math.log(10000) / 128);
    const f127 = Math.exp((-Math.log(10000) * 127) / 128);
    expectClose([v[256], v[257], v[256 + 127], v[256 + 128], v[256 + 129], v[256 + 255]], [Math.cos(500), Math.cos(500 * f1), Math.cos(500 * f127), Math.sin(500), Math.sin(500 * f1), Math.sin(500 * f127)], 2e-4);
  });
});

describeBackends('DiT', () => {
  it('patchify orders each token as (i, j, c) and unpatchify inverts it', () => {
    tf.tidy(() => {
      const x = tf.range(0, 2 * 4 * 4 * 3).reshape([2, 4, 4, 3]);
      const p = patchify(x, 2); // [2, 4, 12]
      expect(p.shape).toEqual([2, 4, 12]);
      // token 1 of image 0 is rows 0..1, columns 2..3: first feature is pixel (0, 2, c=0) = 6, then (0, 2, c=1) = 7,
      // then (0, 3, c=0) = 9; (1, 2, c=0) = 4·3 + 6 = 18.
      const tok = p.slice([0, 1, 0], [1, 1, 12]).dataSync();
      expect(Array.from(tok.slice(0, 4))).toEqual([6, 7, 8, 9]);
      expect(tok[6]).toBe(18);
      expect(Array.from(unpatchify(p, 2, 3).dataSync())).toEqual(Array.from(x.dataSync()));
    });
  });

  it('output has the input shape, and the untrained (adaLN-Zero) DiT outputs exactly zero', () => {
    const p = makeParams(tiny, 1, false);
    const { x, t, y } = inputs(tiny, 3, 2);
    const out = tf.tidy(() => ditForward(p, x, t, y, tiny));
    expect(out.shape).toEqual([3, 8, 8, 2]);
    const v = out.dataSync();
    out.dispose();
    expect(v.every((a) => a === 0)).toBe(true);
    tf.dispose([x, t, y, ...Object.values(p)]);
  });

  it('grouped-query attention (kvHeads < heads) runs and changes the qkv width', () => {
    const s: DiTShape = { ...tiny, heads: 4, kvHeads: 1, dim: 16 };
    const specs = ditParamSpecs(s);
    expect(specs.find((x) => x.name === 'blocks.0.attn.qkv.weight')!.shape).toEqual([16, 16 + 2 * 4]);
    const p = makeParams(s, 3, true);
    const { x, t, y } = inputs(s, 2, 4);
    const out = tf.tidy(() => ditForward(p, x, t, y, s));
    expect(out.shape).toEqual([2, 8, 8, 2]);
    tf.dispose([out, x, t, y, ...Object.values(p)]);
  });

  it('gradients match central finite differences (weights of every kind, and the input)', () => {
    const s: DiTShape = { ...tiny, depth: 1 };
    const p = makeParams(s, 5, true);
    const { x, t, y } = inputs(s, 2, 6);
    const rng = new Rng(7);
    const r = tf.tensor(rng.normals(2 * 8 * 8 * 2), [2, 8, 8, 2]);
    const names = Object.keys(p).filter((n) => n !== 'pos_embed');
    const lossOf = (pp: Params, xx: tf.Tensor) => ditForward(pp, xx, t, y, s).mul(r).sum() as tf.Scalar;
    const grads = tf.tidy(() => tf.grads((xx: tf.Tensor, ...ws: tf.Tensor[]) => {
      const pp: Params = { ...p };
      names.forEach((n, i) => (pp[n] = ws[i]));
      return lossOf(pp, xx);
    })([x, ...names.map((n) => p[n])]));
    const probe = (get: () => tf.Tensor, set: (v: tf.Tensor) => void, g: tf.Tensor, idx: number) => {
      const h = 1e-2;
      const base = get();
      const vals = base.dataSync().slice();
      const at = (delta: number) => {
        const v = vals.slice();
        v[idx] += delta;
        const tt = tf.tensor(v, base.shape);
        set(tt);
        const l = tf.tidy(() => lossOf(p, curX).dataSync()[0]);
        tt.dispose();
        return l;
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      set(base);
      const an = g.dataSync()[idx];
      expect(Math.abs(fd - an)).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(an));
    };
    let curX = x;
    const checked = ['x_embedder.proj.weight', 't_embedder.mlp.0.weight', 't_embedder.mlp.2.bias', 'y_embedder.embedding_table.weight', 'blocks.0.attn.qkv.weight', 'blocks.0.attn.proj.weight', 'blocks.0.mlp.fc1.bias', 'blocks.0.mlp.fc2.weight', 'blocks.0.adaLN_modulation.1.weight', 'final_layer.linear.weight', 'final_layer.adaLN_modulation.1.bias'];
    for (const name of checked) {
      const i = names.indexOf(name);
      const g = grads[i + 1];
      const n = g.size;
      for (const idx of [0, Math.floor(n / 2), n - 1]) {
        probe(() => p[name], (v) => (p[name] = v), g, idx);
      }
    }
    for (const idx of [0, 37, 255]) probe(() => curX, (v) => (curX = v), grads[0], idx);
    // the gradients are not trivially zero
    expect(grads.every((g) => tf.tidy(() => g.abs().max().dataSync()[0]) > 0)).toBe(true);
    tf.dispose([...grads, x, t, y, r, ...Object.values(p)]);
  });
});

describeBackends('gradient checkpointing', () => {
  it('gives the same outputs and gradients as the plain forward pass, without leaking', () => {
    const s: DiTShape = { ...tiny, depth: 2 };
    const p = makeParams(s, 11, true);
    const { x, t, y } = inputs(s, 2, 12);
    const names = Object.keys(p).filter((n) => n !== 'pos_embed');
    const gradsOf = (checkpointing: boolean) =>
      tf.tidy(() =>
        tf.grads((...ws: tf.Tensor[]) => {
          const pp: Params = { ...p };
          names.forEach((n, i) => (pp[n] = ws[i]));
          return ditForward(pp, x, t, y, s, { checkpointing }).square().sum() as tf.Scalar;
        })(names.map((n) => p[n])),
      );
    const plain = gradsOf(false);
    const before = tf.memory().numTensors;
    const ckpt = gradsOf(true);
    expect(tf.memory().numTensors).toBe(before + ckpt.length);
    names.forEach((_, i) => {
      expect(ckpt[i].shape).toEqual(plain[i].shape);
      expectClose(ckpt[i].dataSync(), plain[i].dataSync(), 1e-5, 1e-4);
    });
    expect(plain.some((g) => tf.tidy(() => g.abs().max().dataSync()[0]) > 0)).toBe(true);
    tf.dispose([...plain, ...ckpt, x, t, y, ...Object.values(p)]);
  });
});

describeBackends('layers', () => {
  it('geluTanh equals ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (PyTorch approximate="tanh")', () => {
    const xs = [-6, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3, 6];
    const got = tf.tidy(() => geluTanh(tf.tensor1d(xs)).dataSync().slice());
    const ref = xs.map((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))));
    expectClose(got, ref, 1e-6, 1e-5);
  });
});
