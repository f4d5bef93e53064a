import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useApp } from './state/store';
import { installTestApi } from './state/test_api';
import { App } from './ui/App';
import './ui/styles.css';
import { createTrainingClient } from './worker/client';

const client = createTrainingClient();
useApp.getState().connect(client);
if (import.meta.env.VITE_TEST_API === '1') installTestApi();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
