/** The peers the health self-test checks. */
export type HealthComponent = 'db' | 'imap' | 'pdp';

/** The public answer of GET /api/health: no detail, so it tells an attacker nothing about the setup. */
export interface PublicHealth {
  status: 'ok' | 'degraded';
  components: Record<HealthComponent, 'ok' | 'degraded'>;
}

/** One thing a check found. `hint` says how to fix it when it is not ok. */
export interface HealthFinding {
  status: 'ok' | 'warn' | 'fail';
  message: string;
  hint?: string;
}

/** The detailed result of one check, as `npm run doctor` prints it. */
export interface HealthCheckReport {
  component: HealthComponent;
  title: string;
  status: 'ok' | 'warn' | 'fail';
  target: string;
  findings: HealthFinding[];
  durationMs: number;
}
