import { useEffect } from 'react';
import { useApp } from '../state/store';
import { Notices } from './common/Notices';
import { Controls, useShortcuts } from './controls/Controls';
import { SamplePanel } from './samples/SamplePanel';
import { BackendBadge } from './system/BackendBadge';
import { SystemPanel } from './system/SystemPanel';
import { LossChart } from './training/LossChart';

export function App() {
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  useShortcuts();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <div className="app">
      <header className="topbar">
        <h1>Flow Playground</h1>
        <span className="tagline">Train a Diffusion Transformer with rectified flow, in your browser. Nothing leaves this machine.</span>
        <span className="spacer" />
        <BackendBadge />
        <button className="btn" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="Toggle dark theme" data-testid="theme-toggle">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <Notices />
      <main className="layout">
        <div className="stack">
          <Controls />
          <SystemPanel />
        </div>
        <div className="stack">
          <LossChart />
          <SamplePanel />
        </div>
      </main>
    </div>
  );
}
