import { describe, expect, it } from 'vitest';
import { getStory, STORIES } from './stories';
import { readUrl } from './url';

describe('stories', () => {
  it('has at least five, each with a paragraph and URLs that parse without errors', () => {
    expect(STORIES.length).toBeGreaterThanOrEqual(5);
    for (const s of STORIES) {
      expect(s.paragraph.length).toBeGreaterThan(100);
      expect(s.variants.length).toBeGreaterThanOrEqual(1);
      for (const v of s.variants) expect(readUrl(`?${v.query}`).errors).toEqual([]);
    }
  });
  it('covers the five comparisons the playground promises', () => {
    const q = (id: string, i: number) => readUrl(`?${getStory(id).variants[i].query}`).config;
    expect([q('timesteps', 0).timesteps, q('timesteps', 1).timesteps]).toEqual(['uniform', 'logit-normal:0,1']);
    expect([q('paths', 0).path, q('paths', 1).path]).toEqual(['rf', 'cosine']);
    expect([q('solvers', 0), q('solvers', 1)].map((c) => [c.sampler, c.sampleSteps])).toEqual([['euler', 4], ['heun', 4]]);
    expect([q('attention-memory', 0).attention, q('attention-memory', 1).attention]).toEqual(['naive', 'flash']);
    const g = getStory('guidance').variants.map((v) => readUrl(`?${v.query}`).config.cfg);
    expect(Math.min(...g)).toBe(0);
    expect(Math.max(...g)).toBe(7);
  });
  it('ids are unique and unknown ids are named in the error', () => {
    expect(new Set(STORIES.map((s) => s.id)).size).toBe(STORIES.length);
    expect(() => getStory('nope')).toThrow(/unknown id "nope"/);
  });
});
