// The gallery of teaching presets: pick a story, read what to watch, load one of its URLs.

import { useState } from 'react';
import { STORIES } from '../../state/stories';
import { useApp } from '../../state/store';
import { experimentQuery, readUrl } from '../../state/url';
import { Panel } from '../common/Panel';

export function StoriesPanel() {
  const current = useApp((s) => s.story);
  const loadStory = useApp((s) => s.loadStory);
  const [open, setOpen] = useState(current ?? STORIES[0].id);
  const story = STORIES.find((s) => s.id === open) ?? STORIES[0];
  const href = (q: string) => {
    const u = readUrl(`?${q}`);
    return experimentQuery(u.preset, u.config);
  };
  return (
    <Panel id="stories" title="Stories" explain={<>Experiments that teach one idea each. Every story is a link: load one, press ▶ Train, and watch the panel it names.</>}>
      <div className="story-tabs" role="group" aria-label="Stories">
        {STORIES.map((s) => (
          <button key={s.id} aria-pressed={s.id === story.id} aria-controls="story-body" className={`story-tab ${s.id === story.id ? 'active' : ''}`} onClick={() => setOpen(s.id)} data-testid={`story-${s.id}`}>
            {s.title}
          </button>
        ))}
      </div>
      <div className="story-body" id="story-body" aria-live="polite" data-testid="story-body" data-story={story.id}>
        <p>{story.paragraph}</p>
        <div className="row">
          <span className="small muted">Load:</span>
          {story.variants.map((v, i) => (
            <a
              key={v.label}
              className="btn"
              href={href(v.query)}
              onClick={(e) => {
                e.preventDefault();
                loadStory(story.id, i);
              }}
              data-testid={`story-${story.id}-${i}`}
            >
              {v.label}
            </a>
          ))}
          <a
            className="small"
            href={`#${story.watch}`}
            onClick={(e) => {
              e.preventDefault();
              document.querySelector(`[data-testid="${story.watch}"]`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
            }}
          >
            then watch the {story.watch.replace('panel-', '').replace('timesteps', 'timestep sampling').replace('schedule', 'noise schedule')} panel ↓
          </a>
        </div>
      </div>
    </Panel>
  );
}
