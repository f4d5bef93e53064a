import { describe, expect, it } from 'vitest';
import { presetConfig } from '../core/presets';
import { describeField, editConfig, fieldApplies } from './config_edit';

describe('editConfig', () => {
  const base = presetConfig('mnist-tiny');
  it('parses a value from a form and keeps the rest', () => {
    const r = editConfig(base, 'lr', '0.0005');
    expect(r.error).toBeUndefined();
    expect(r.config).toEqual({ ...base, lr: 0.0005 });
    expect(r.adjusted).toEqual([]);
  });
  it('names the field and the range for a bad value', () => {
    const r = editConfig(base, 'depth', '99');
    expect(r.config).toBeUndefined();
    expect(r.error?.field).toBe('depth');
    expect(r.error?.message).toMatch(/integer in \[1, 32\]/);
  });
  it('reports a broken invariant on the field to change', () => {
    const r = editConfig(base, 'heads', '3'); // 64 % 3 ≠ 0
    expect(r.error?.field).toBe('heads');
    expect(r.error?.message).toMatch(/not divisible by heads 3/);
  });
  it('switches the model with the dataset and keeps the patch dividing the image', () => {
    const toPoints = editConfig(base, 'dataset', 'moons');
    expect(toPoints.config?.model).toBe('mlp');
    expect(toPoints.adjusted[0]).toMatch(/model set to mlp/);
    const shapes = editConfig({ ...base, patch: 7 }, 'dataset', 'shapes16');
    expect(shapes.config).toMatchObject({ model: 'dit', patch: 4 });
    expect(shapes.adjusted.join()).toMatch(/patch set to 4/);
  });
  it('resets kvHeads when heads no longer allow it', () => {
    const r = editConfig({ ...base, heads: 4, kvHeads: 4 }, 'heads', '2');
    expect(r.config).toMatchObject({ heads: 2, kvHeads: 2 });
  });
  it('checks timestep specs with the flow parser', () => {
    expect(editConfig(base, 'timesteps', 'beta:2,1').config?.timesteps).toBe('beta:2,1');
    expect(editConfig(base, 'timesteps', 'logit-normal:0').error?.field).toBe('timesteps');
  });
});

describe('fields', () => {
  it('hides the attention settings from the 2D MLP', () => {
    const toy = presetConfig('toy-2d');
    expect(fieldApplies('attention', toy)).toBe(false);
    expect(fieldApplies('lr', toy)).toBe(true);
    expect(fieldApplies('attention', presetConfig('mnist-tiny'))).toBe(true);
  });
  it('describes ranges from the schema', () => {
    expect(describeField('depth')).toBe('integer, 1 to 32');
    expect(describeField('lr')).toMatch(/above 0 to 1/);
    expect(describeField('path')).toBe('rf | cosine | vp | edm');
  });
});
