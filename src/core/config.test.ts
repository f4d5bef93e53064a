import { describe, expect, it } from 'vitest';
import { ConfigError, configToStrings, makeConfig, parseConfigLenient, parseField } from './config';
import { getPreset, presetConfig, PRESETS } from './presets';

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).field;
  }
  throw new Error('expected a ConfigError');
};

describe('config schema', () => {
  it('presets have the exact shapes of ARCHITECTURE.md', () => {
    const tiny = presetConfig('mnist-tiny');
    expect([tiny.dataset, tiny.patch, tiny.dim, tiny.depth, tiny.heads, tiny.batch]).toEqual(['mnist', 4, 64, 4, 4, 64]);
    const small = presetConfig('mnist-small');
    expect([small.dataset, small.patch, small.dim, small.depth, small.heads, small.batch]).toEqual(['mnist', 2, 128, 4, 4, 64]);
    for (const p of PRESETS) expect(() => presetConfig(p.name)).not.toThrow();
    expect(tiny.kvHeads).toBe(tiny.heads);
  });

  it('rejects dim not divisible by heads, naming heads', () => {
    expect(fieldOf(() => presetConfig('mnist-tiny', { dim: '60', heads: '8' }))).toBe('heads');
  });

  it('rejects an image size not divisible by patch, naming patch', () => {
    expect(fieldOf(() => presetConfig('mnist-tiny', { patch: '3' }))).toBe('patch');
  });

  it('rejects an unknown preset, naming preset and listing the names', () => {
    expect(fieldOf(() => getPreset('mnist-huge'))).toBe('preset');
    expect(() => getPreset('mnist-huge')).toThrow(/mnist-tiny/);
  });

  it('rejects out-of-range, non-integer, unknown and malformed values with the accepted range', () => {
    expect(() => parseField('dim', '7')).toThrow(/dim: .*\[8, 1024\]/);
    expect(() => parseField('depth', '2.5')).toThrow(/depth: .*integer/);
    expect(() => parseField('lr', '0')).toThrow(/lr: .*\(0, 1\]/);
    expect(() => parseField('path', 'straight')).toThrow(/path: .*rf, cosine, vp, edm/);
    expect(() => parseField('timesteps', 'banana')).toThrow(/timesteps: .*logit-normal/);
    expect(fieldOf(() => makeConfig({ colour: 'red' }))).toBe('colour');
    expect(() => parseField('checkpointing', 'maybe')).toThrow(/checkpointing/);
    expect(fieldOf(() => makeConfig({ dataset: 'imagenet' }))).toBe('dataset');
  });

  it('rejects kvHeads that do not divide heads, naming kvHeads', () => {
    expect(fieldOf(() => presetConfig('mnist-tiny', { kvHeads: '3' }))).toBe('kvHeads');
  });

  it('rejects the wrong model for the data', () => {
    expect(fieldOf(() => makeConfig({ dataset: 'moons', model: 'dit' }))).toBe('model');
  });

  it('round-trips through strings (the URL form), seed included', () => {
    const c = presetConfig('mnist-tiny', { path: 'cosine', prediction: 'eps', timesteps: 'mode:1.29', shift: '3', seed: '1234', lr: '0.0003', checkpointing: 'true', kvHeads: '2' });
    const strings = configToStrings(c, getPreset('mnist-tiny').config);
    expect(Object.fromEntries(strings)).toEqual({ path: 'cosine', prediction: 'eps', timesteps: 'mode:1.29', shift: '3', seed: '1234', lr: '0.0003', checkpointing: 'true', kvHeads: '2' });
    expect(makeConfig(Object.fromEntries(strings), getPreset('mnist-tiny').config)).toEqual(c);
  });

  it('lenient parsing reports each bad field and keeps the good ones', () => {
    const { config, errors } = parseConfigLenient({ dim: 'huge', depth: '3', banana: '1' }, getPreset('mnist-tiny').config);
    expect(errors.map((e) => e.field).sort()).toEqual(['banana', 'dim']);
    expect(config.dim).toBe(64);
    expect(config.depth).toBe(3);
  });

  it('lenient parsing falls back when a combination is invalid', () => {
    const { config, errors } = parseConfigLenient({ patch: '3' }, getPreset('mnist-tiny').config);
    expect(errors.map((e) => e.field)).toEqual(['patch']);
    expect(config.patch).toBe(4);
  });
});
