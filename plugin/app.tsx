import { useMemo } from 'preact/hooks';
import { createApiClient } from './api/client';
import { HealthPanel } from './components/health-panel';

export interface AppProps {
  api: string;
}

/** The widget's root. For now: the title bar and the health of the service. */
export function App({ api }: AppProps) {
  const client = useMemo(() => createApiClient(api), [api]);
  return (
    <div class="aq-root">
      <header class="aq-header">
        <h2 class="aq-title">Quarantine</h2>
      </header>
      <main class="aq-body">
        <HealthPanel api={client} />
      </main>
    </div>
  );
}
