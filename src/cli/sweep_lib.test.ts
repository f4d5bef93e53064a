import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, gridNoise } from '../core/compare/fixed_noise';
import { parseRunRows } from '../core/compare/run_record';
import { makeConfig } from '../core/config';
import { createDataset } from '../core/data/registry';
import { makeReference } from '../core/metrics/evaluate';
import { useBackend } from '../test_utils/tf_backends';
import { REPO_ROOT } from './node_env';
import { parseArgs } from './args';
import { expandVariants, parseVary, planSweep, runOne, splitVaryValues, SWEEP_FLAGS } from './sweep_lib';

describe('--vary parsing', () => {
  it('splits on the commas that start a new valid value (longest valid run of pieces first)', () => {
    expect(splitVaryValues('timesteps', 'uniform,logit-normal:0,1,mode:1.29')).toEqual(['uniform', 'logit-normal:0,1', 'mode:1.29']);
    expect(splitVaryValues('timesteps', 'logit-normal:0,1,logit-normal:0.5,1.5')).toEqual(['logit-normal:0,1', 'logit-normal:0.5,1.5']);
    expect(splitVaryValues('timesteps', 'beta:2,2,cosmap')).toEqual(['beta:2,2', 'cosmap']);
    expect(splitVaryValues('lr', '1e-3,2e-3')).toEqual(['1e-3', '2e-3']);
    expect(splitVaryValues('sampler', 'euler')).toEqual(['euler']);
  });

  it('bad keys and values throw a ConfigError naming the field', () => {
    expect(() => splitVaryValues('nope', 'a,b')).toThrow(/^nope: unknown setting/);
    expect(() => splitVaryValues('timesteps', 'uniform,bogus')).toThrow(/^timesteps: /);
    expect(() => splitVaryValues('dim', '32,')).toThrow(/^dim: got ""/);
    expect(() => parseVary(['dim'])).toThrow(/--vary: expected key=v1,v2/);
    expect(() => parseVary(['dim=32,64', 'dim=16'])).toThrow(/--vary dim given more than once/);
    expect(() => parseVary(['dim=32,64'], { dim: '16' })).toThrow(/also fixed/);
    expect(() => parseVary(['lr=1e-3,0.001'])).toThrow(/^lr: value "0.001" is given twice/);
  });

  it('expands every combination, the first --vary slowest', () => {
    const v = parseVary(['dim=16,32', 'timesteps=uniform,logit-normal:0,1']);
    expect(expandVariants(v)).toEqual([
      { dim: '16', timesteps: 'uniform' }, { dim: '16', timesteps: 'logit-normal:0,1' },
      { dim: '32', timesteps: 'uniform' }, { dim: '32', timesteps: 'logit-normal:0,1' },
    ]);
    expect(expandVariants([])).toEqual([{}]);
  });
});

describe('planSweep (every input checked before the first step)', () => {
  const plan = (...argv: string[]) => planSweep(parseArgs(argv, SWEEP_FLAGS));

  it('builds one validated config per variant, with the settings that set each apart', () => {
    const p = plan('--preset', 'mnist-tiny', '--set', 'dim=32', '--vary', 'timesteps=uniform,logit-normal:0,1', '--steps', '30', '--nfe', '4,8', '--seed', '5');
    expect(p.configs.map((c) => [c.dim, c.steps, c.seed, c.timesteps])).toEqual([[32, 30, 5, 'uniform'], [32, 30, 5, 'logit-normal:0,1']]);
    expect(p.diffs).toEqual([{ timesteps: 'uniform' }, { timesteps: 'logit-normal:0,1' }]);
    expect(p.nfe).toEqual([4, 8]);
    expect(p.evalN).toBe(256);
  });

  it('rejects bad input naming the flag or the field', () => {
    for (const [argv, pattern] of [
      [['--vary', 'nope=1,2'], /^nope: unknown setting/],
      [['--nfe', '4,x'], /^--nfe: got "x"/],
      [['--nfe', '4,4'], /^--nfe: "4,4" repeats a value/],
      [['--samplers', 'euler,magic'], /^sampler: got "magic"/],
      [['--guidance', '1,-2'], /^cfg: got "-2"/],
      [['--eval-n', '1'], /^--eval-n: got 1/],
      [['--out', 'x.txt'], /^--out: expected FILE.json or FILE.csv/],
      [['--steps', '5', '--set', 'steps=6'], /^--steps and --set steps/],
      [['--set', 'dim=30', '--vary', 'heads=4,3'], /^heads: dim 30 is not divisible by heads 4/],
      [['--preset', 'huge'], /^preset: unknown preset/],
    ] as const) {
      expect(() => plan(...argv)).toThrow(pattern);
    }
  });
});

describe('sweep runs', () => {
  beforeAll(() => useBackend('cpu'));

  it('two runs differing only in one setting sample their grids from identical noise and labels', async () => {
    const base = { dataset: 'shapes16', patch: '4', dim: '16', depth: '1', heads: '2', batch: '4', steps: '2', warmup: '0', seed: '11' };
    const ds = createDataset('shapes16');
    const ref = await makeReference(ds.heldOut(100), ds.shape);
    const opts = { evalN: 8, nfe: [2], backend: 'cpu' };
    const a = await runOne(makeConfig({ ...base, timesteps: 'uniform' }), ds, ref, opts);
    const b = await runOne(makeConfig({ ...base, timesteps: 'logit-normal:0,1' }), ds, ref, opts);
    const c = await runOne(makeConfig({ ...base, timesteps: 'uniform', seed: '12' }), ds, ref, opts);
    // The fingerprints are of the noise and labels the evaluation actually sampled from.
    expect(a.eval?.noise).toBe(fingerprint(gridNoise(11, 8, [16, 16, 3])));
    expect(b.eval).toEqual(a.eval);
    expect(c.eval?.noise).not.toBe(a.eval?.noise);
    // The runs themselves differ (the setting did something), and nothing leaked.
    expect(a.quality[0].sw).not.toBe(b.quality[0].sw);
    for (const r of [a, b, c]) expect(r.numTensorsEnd).toBe(r.numTensorsStart);
  });
});

describe('npm run sweep (the CLI)', () => {
  const tsx = `${REPO_ROOT}/node_modules/.bin/tsx`;
  const sweep = (...args: string[]) => spawnSync(tsx, ['src/cli/sweep.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });

  it('--json prints one row per run that the compare view can load, then a summary', () => {
    const r = sweep('--preset', 'toy-2d', '--set', 'dim=16', '--set', 'depth=1', '--set', 'batch=32', '--vary', 'timesteps=uniform,logit-normal:0,1',
      '--steps', '5', '--nfe', '2,4', '--eval-n', '32', '--backend', 'cpu', '--json');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const runs = parseRunRows(r.stdout);
    expect(runs.map((x) => x.name)).toEqual(['timesteps=uniform', 'timesteps=logit-normal:0,1']);
    expect(runs[0].quality.map((q) => q.steps)).toEqual([2, 4]);
    expect(runs[0].eval?.noise).toBe(runs[1].eval?.noise);
    const summary = JSON.parse(lines[2]);
    expect(summary).toMatchObject({ event: 'summary', preset: 'toy-2d', runs: 2, varied: ['timesteps'], nfe: [2, 4], evalN: 32 });
  });

  it('bad input exits 2 with one line on stderr naming the problem', () => {
    const r = sweep('--vary', 'timesteps=uniform,bogus');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: timesteps: /);
  });
});
