import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectClose } from '../../test_utils/tf_backends';
import { EDM_SIGMA_DATA, EDM_SIGMA_MAX, getPath, PATH_NAMES, VP_BETA0, VP_BETA1, VP_T } from './paths';

const INTERIOR = [0.001, 0.01, 0.05, 0.2, 0.37, 0.5, 0.63, 0.8, 0.95, 0.99, 0.999];

describe('paths', () => {
  it.each(PATH_NAMES)('%s: dα/dt and dσ/dt match central finite differences', (name) => {
    const p = getPath(name);
    for (const t of INTERIOR) {
      const h = 1e-5 * Math.min(t, 1 - t);
      const fd = (f: (t: number) => number) => (f(t + h) - f(t - h)) / (2 * h);
      for (const [d, f] of [[p.dAlpha, p.alpha], [p.dSigma, p.sigma]] as const) {
        const want = fd(f);
        expect(Math.abs(d(t) - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
      }
    }
  });

  it.each(PATH_NAMES)('%s: log-SNR is log(α²/σ²), decreases, and tOfLogSnr inverts it', (name) => {
    const p = getPath(name);
    let prev = Infinity;
    for (const t of INTERIOR) {
      const l = p.logSnr(t);
      expect(l).toBeCloseTo(2 * Math.log(p.alpha(t) / p.sigma(t)), 9);
      expect(l).toBeLessThan(prev);
      prev = l;
      expect(p.tOfLogSnr(l)).toBeCloseTo(t, 10);
    }
    expect(p.logSnr(0)).toBe(Infinity);
    expect(p.tOfLogSnr(Infinity)).toBe(0);
    expect(p.tOfLogSnr(-Infinity)).toBe(1);
  });

  it.each(PATH_NAMES)('%s: endpoint values are the limits of the formulas', (name) => {
    const p = getPath(name);
    for (const [edge, near] of [[0, 1e-12], [1, 1 - 1e-12]]) {
      const a = p.coefs(edge);
      const b = p.coefs(near);
      for (const k of Object.keys(a) as (keyof typeof a)[]) {
        if (Number.isFinite(a[k])) expect(Math.abs(b[k] - a[k]), `${k} at t = ${edge}`).toBeLessThan(1e-3); // edm: cIn ≈ 1/σ → 0 slowly
        else expect(b[k], `${k} at t = ${edge}`).toSatisfy((v: number) => Math.abs(v) > 10 && Math.sign(v) === Math.sign(a[k]));
      }
    }
    expect(p.alpha(0)).toBe(1);
    expect(p.sigma(0)).toBe(0);
  });

  it('rf and cosine reach pure noise at t = 1; vp keeps the LDM terminal signal; edm explodes', () => {
    expect(getPath('rf').coefs(1)).toMatchObject({ alpha: 0, sigma: 1, logSnr: -Infinity });
    expect(getPath('cosine').coefs(1)).toMatchObject({ alpha: 0, sigma: 1, logSnr: -Infinity });
    expect(getPath('vp').alpha(1)).toBeCloseTo(0.069, 3);
    expect(getPath('edm').sigma(1)).toBe(Infinity);
    expect(getPath('edm').sigma(getPath('edm').tMax)).toBeCloseTo(EDM_SIGMA_MAX, 9);
  });

  it('cosine and vp are variance preserving; vScale is dφ/dt there and dσ/dt on edm; cIn normalises edm', () => {
    for (const name of ['cosine', 'vp'] as const) {
      const p = getPath(name);
      for (const t of INTERIOR) {
        const c = p.coefs(t);
        expect(c.alpha ** 2 + c.sigma ** 2).toBeCloseTo(1, 12);
        expect(c.vScale).toBeCloseTo(Math.hypot(c.dAlpha, c.dSigma), 9);
        expect(c.cIn).toBe(1);
      }
    }
    const edm = getPath('edm');
    for (const t of INTERIOR) {
      const c = edm.coefs(t);
      expect(c.vScale).toBe(c.dSigma);
      expect(c.cIn ** 2 * (c.sigma ** 2 + EDM_SIGMA_DATA ** 2)).toBeCloseTo(1, 12);
    }
  });

  it('edm: uniform t gives log σ ~ N(−1.2, 1.2²) (its quartiles)', () => {
    const edm = getPath('edm');
    expect(Math.log(edm.sigma(0.5))).toBeCloseTo(-1.2, 12);
    expect(Math.log(edm.sigma(0.75))).toBeCloseTo(-1.2 + 1.2 * 0.6744897501960817, 8);
  });

  it('vp matches the discrete LDM-linear schedule within 1% in log ᾱ', () => {
    // ᾱ_i = Π_{j≤i} (1 − β_j), √β_j = √β0 + j/(T−1)·(√β1 − √β0) (diffusers' "scaled_linear").
    const vp = getPath('vp');
    let logAbar = 0;
    let worst = 0;
    for (let i = 0; i < VP_T; i++) {
      const sb = Math.sqrt(VP_BETA0) + (i / (VP_T - 1)) * (Math.sqrt(VP_BETA1) - Math.sqrt(VP_BETA0));
      logAbar += Math.log1p(-sb * sb);
      const cont = 2 * Math.log(vp.alpha((i + 1) / VP_T));
      worst = Math.max(worst, Math.abs(cont - logAbar) / Math.abs(logAbar));
    }
    expect(worst).toBeLessThan(0.01); // measured 0.39%
    expect(Math.abs(Math.exp(logAbar) / vp.alpha(1) ** 2 - 1)).toBeLessThan(0.03); // ᾱ_999: 0.00466 vs 0.00476
  });

  it('getPath rejects unknown names, naming the field and the accepted values', () => {
    expect(() => getPath('ddpm')).toThrow(/^path: expected one of rf \| cosine \| vp \| edm, got "ddpm"/);
    expect(() => getPath('toString')).toThrow(/path/);
  });
});

describeBackends('path tensor versions', () => {
  it.each(PATH_NAMES)('%s: match the scalar formulas in float32', (name) => {
    const p = getPath(name);
    const ts = [1e-5, 0.001, 0.02, 0.3, 0.5, 0.7, 0.98, 0.999, 1 - 1e-5];
    const got = tf.tidy(() => {
      const c = p.coefsT(tf.tensor1d(ts));
      return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Array.from(v.dataSync())]));
    });
    for (const k of ['alpha', 'sigma', 'dAlpha', 'dSigma', 'logSnr', 'cIn', 'vScale'] as const) {
      // float32 t itself is rounded by up to 6e-8; near t = 1 on edm that moves σ by ~1e-3 relative.
      const want = ts.map((t) => p.coefs(Math.fround(t))[k]);
      expectClose(got[k], want, 1e-5, name === 'edm' ? 2e-3 : 2e-4);
    }
    const n0 = tf.memory().numTensors;
    tf.tidy(() => p.alphaT(tf.tensor1d(ts))).dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });
});
