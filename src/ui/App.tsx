import { useEffect } from 'react';
import { useApp } from '../state/store';
import { AttentionPanel } from './attention/AttentionPanel';
import { Notices } from './common/Notices';
import { ComparePanel } from './compare/ComparePanel';
import { Controls, useShortcuts } from './controls/Controls';
import { SamplePanel } from './samples/SamplePanel';
import { SchedulePanel } from './schedule/SchedulePanel';
import { SetupPanel } from './setup/SetupPanel';
import { StoriesPanel } from './stories/StoriesPanel';
import { BackendBadge } from './system/BackendBadge';
import { SystemPanel } from './system/SystemPanel';
import { TimestepPanel } from './timesteps/TimestepPanel';
import { TrainingPanel } from './training/TrainingPanel';
import { UploadPanel } from './upload/UploadPanel';

export function App() {
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  useShortcuts();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to the panels
      </a>
      <header className="topbar">
        <h1>Flow Playground</h1>
        <span className="tagline">Train a Diffusion Transformer with rectified flow, in your browser. Nothing leaves this machine.</span>
        <span className="spacer" />
        <BackendBadge />
        <button className="btn" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'} data-testid="theme-toggle">
          {theme === 'dark' ? '☀ light' : '☾ dark'}
        </button>
      </header>
      <Notices />
      <div className="layout">
        <aside className="stack sidebar" aria-label="Experiment and settings">
          <Controls />
          <SetupPanel />
          <UploadPanel />
          <SystemPanel />
        </aside>
        <main className="stack" id="main" tabIndex={-1}>
          <StoriesPanel />
          <div className="grid2">
            <TrainingPanel />
            <SamplePanel />
          </div>
          <div className="grid2">
            <SchedulePanel />
            <TimestepPanel />
          </div>
          <AttentionPanel />
          <ComparePanel />
        </main>
      </div>
    </div>
  );
}
