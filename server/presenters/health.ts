import type { HealthCheckReport, HealthComponent, PublicHealth, ReadinessComponent, ReadinessHealth } from '../../shared/health';

/** The public view of the health reports: a verdict per component and nothing an attacker could use. */
export function presentPublicHealth(reports: HealthCheckReport[]): PublicHealth {
  const components = {} as Record<HealthComponent, 'ok' | 'degraded'>;
  for (const report of reports) components[report.component] = verdict(report);
  return {
    status: Object.values(components).every((s) => s === 'ok') ? 'ok' : 'degraded',
    components,
  };
}

/** The readiness view: ready when every peer that sign-in and listing need answers; no detail either. */
export function presentReadiness(reports: Record<ReadinessComponent, HealthCheckReport>): ReadinessHealth {
  const components = { db: verdict(reports.db), imap: verdict(reports.imap) };
  return { status: components.db === 'ok' && components.imap === 'ok' ? 'ready' : 'not_ready', components };
}

// A warning (an unverified certificate, a missing index) is the operator's business, not an outage.
function verdict(report: HealthCheckReport): 'ok' | 'degraded' {
  return report.status === 'fail' ? 'degraded' : 'ok';
}
