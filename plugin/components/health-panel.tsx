import { useEffect, useState } from 'preact/hooks';
import type { HealthComponent, PublicHealth } from '../../shared/health';
import { ApiError, type ApiClient } from '../api/client';

const LABELS: Record<HealthComponent, string> = {
  db: 'Quarantine database',
  imap: 'Mail server sign-in',
  pdp: 'Release service (amavisd)',
};

type State = { kind: 'loading' } | { kind: 'ready'; health: PublicHealth } | { kind: 'error'; message: string };

/** Shows whether the quarantine service can reach its peers (the placeholder until the list exists). */
export function HealthPanel({ api }: { api: ApiClient }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    api.health().then(
      (health) => live && setState({ kind: 'ready', health }),
      (err: unknown) => live && setState({ kind: 'error', message: err instanceof ApiError ? err.message : 'Unexpected error.' }),
    );
    return () => {
      live = false;
    };
  }, [api]);

  if (state.kind === 'loading') {
    return (
      <p class="aq-status aq-status--loading" role="status">
        Checking the quarantine service…
      </p>
    );
  }
  if (state.kind === 'error') {
    return (
      <p class="aq-status aq-status--error" role="alert">
        {state.message}
      </p>
    );
  }
  const { health } = state;
  return (
    <section class="aq-health" aria-labelledby="aq-health-title" data-status={health.status}>
      <p id="aq-health-title" class={`aq-status aq-status--${health.status === 'ok' ? 'success' : 'error'}`} role="status">
        {health.status === 'ok' ? 'The quarantine service is working.' : 'The quarantine service has a problem. Tell your mail administrator.'}
      </p>
      <ul class="aq-health__list">
        {(Object.keys(LABELS) as HealthComponent[]).map((component) => (
          <li key={component} class="aq-health__item" data-component={component} data-state={health.components[component]}>
            <span class={`aq-dot aq-dot--${health.components[component]}`} aria-hidden="true" />
            <span class="aq-health__label">{LABELS[component]}</span>
            <span class="aq-health__state">{health.components[component] === 'ok' ? 'OK' : 'Unavailable'}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
