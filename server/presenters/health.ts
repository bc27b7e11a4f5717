import type { HealthCheckReport, HealthComponent, PublicHealth } from '../../shared/health';

/** The public view of the health reports: a verdict per component and nothing an attacker could use. */
export function presentPublicHealth(reports: HealthCheckReport[]): PublicHealth {
  const components = {} as Record<HealthComponent, 'ok' | 'degraded'>;
  for (const report of reports) components[report.component] = report.status === 'fail' ? 'degraded' : 'ok';
  return {
    status: Object.values(components).every((s) => s === 'ok') ? 'ok' : 'degraded',
    components,
  };
}
