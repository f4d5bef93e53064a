import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectClose } from '../../test_utils/tf_backends';
import { getPath, PATH_NAMES } from './paths';
import { conversionCoefs, PREDICTIONS } from './prediction';
import { parseTimesteps } from './timesteps';
import { parseWeighting } from './weighting';

const uniform = parseTimesteps('uniform');
const TS = [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99];

describe('loss weighting', () => {
  it('none is 1', () => {
    const w = parseWeighting('none');
    expect(w.weight(0.3, { path: getPath('rf'), prediction: 'v', sampler: uniform })).toBe(1);
  });

  it('min-SNR-γ gives Hang et al.’s closed forms: min(SNR,γ)/SNR for ε, min(SNR,γ) for x0, min(SNR,γ)/(SNR+1) for VP v', () => {
    const w = parseWeighting('min-snr:5');
    for (const name of PATH_NAMES) {
      const path = getPath(name);
      for (const t of TS) {
        const snr = Math.exp(path.logSnr(t));
        const m = Math.min(snr, 5);
        expect(w.weight(t, { path, prediction: 'eps', sampler: uniform })).toBeCloseTo(m / snr, 10);
        expect(w.weight(t, { path, prediction: 'x0', sampler: uniform })).toBeCloseTo(m, 10);
        const wv = w.weight(t, { path, prediction: 'v', sampler: uniform });
        if (name === 'cosine' || name === 'vp') expect(wv).toBeCloseTo(m / (snr + 1), 10);
        if (name === 'rf') expect(wv).toBeCloseTo(m * t * t, 10);
        if (name === 'edm') expect(wv).toBeCloseTo(m / snr, 10); // v is ε times dσ/dt there
      }
    }
  });

  it('min-SNR-γ puts weight min(SNR, γ) on the x0-space error for every target (network-output space)', () => {
    // A network error δ on one target moves x̂0 by δ·∂x0/∂p at fixed x_t; its weighted square must be min(SNR,γ)·δx0².
    const w = parseWeighting('min-snr:5');
    for (const name of PATH_NAMES) {
      const path = getPath(name);
      for (const t of TS) {
        const c = path.coefs(t);
        for (const prediction of PREDICTIONS) {
          const raw = prediction === 'v' ? c.vScale : 1; // the network predicts p / vScale
          const dx0 = conversionCoefs(path, prediction, 'x0', t).cp * raw; // ∂x̂0/∂(network output)
          const delta = 0.01;
          const lhs = w.weight(t, { path, prediction, sampler: uniform }) * delta * delta;
          const rhs = Math.min(Math.exp(c.logSnr), 5) * (dx0 * delta) ** 2;
          expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * Math.max(rhs, 1e-12));
        }
      }
    }
  });

  it('density:π weights by π/q, so weighted uniform timesteps train like timesteps drawn from π', () => {
    const w = parseWeighting('density:logit-normal:0,1');
    const ln = parseTimesteps('logit-normal:0,1');
    const ctx = { path: getPath('rf'), prediction: 'v' as const, sampler: uniform };
    for (const t of TS) expect(w.weight(t, ctx)).toBeCloseTo(ln.density(t), 12);
    // E_uniform[w·L] = E_π[L] for a test loss L(t) = t²(1 − t), by the midpoint rule.
    const n = 20000;
    let weighted = 0;
    let direct = 0;
    for (let i = 0; i < n; i++) {
      const t = (i + 0.5) / n;
      weighted += w.weight(t, ctx) * t * t * (1 - t);
      direct += ln.density(t) * t * t * (1 - t);
    }
    expect(weighted / n).toBeCloseTo(direct / n, 10);
    // Training timesteps already drawn from π need no weight.
    expect(w.weight(0.3, { ...ctx, sampler: ln })).toBeCloseTo(1, 12);
  });

  it('parse errors name the field `weighting`', () => {
    expect(() => parseWeighting('snr')).toThrow(/^weighting: expected one of none \| min-snr:G \| density:<timesteps spec>, got "snr"/);
    expect(() => parseWeighting('min-snr:0')).toThrow(/^weighting: min-snr:G needs a number G > 0/);
    expect(() => parseWeighting('min-snr:')).toThrow(/^weighting:/);
    expect(() => parseWeighting('density:mode:5')).toThrow(/^weighting: in density:<timesteps spec>, timesteps: mode scale/);
  });
});

describeBackends('loss weighting tensors', () => {
  it.each(PATH_NAMES)('%s: min-SNR tensor weights match the scalar ones; density weights too', (name) => {
    const path = getPath(name);
    const ts = [0.01, 0.2, 0.5, 0.8, 0.99];
    for (const spec of ['min-snr:5', 'density:beta:2,2']) {
      const w = parseWeighting(spec);
      for (const prediction of PREDICTIONS) {
        const ctx = { path, prediction, sampler: uniform };
        const got = tf.tidy(() => (w.weightT(tf.tensor1d(ts), ctx) as tf.Tensor1D).dataSync());
        expectClose(got, ts.map((t) => w.weight(Math.fround(t), ctx)), 1e-6, 2e-3);
      }
    }
  });
});
