import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { refreshSession } from './api/session';
import { App } from './app/app';
import './styles.css';

// Restore the session from the refresh cookie before the first page decides where to go.
void refreshSession();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
