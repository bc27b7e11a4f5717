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

/** The peers readiness depends on: sign-in needs IMAP and listing needs the database. AM.PDP is left out
 * on purpose: without it releases fail, but users can still sign in, list and read, and every instance
 * shares the same amavisd, so taking one out of rotation would help nobody. */
export type ReadinessComponent = Extract<HealthComponent, 'db' | 'imap'>;

/** The answer of GET /api/health/ready, for a load balancer: 200 when ready, 503 when not. */
export interface ReadinessHealth {
  status: 'ready' | 'not_ready';
  components: Record<ReadinessComponent, 'ok' | 'degraded'>;
}

/** The answer of GET /api/health/live: the process serves requests (always 200 while it does). */
export interface LivenessHealth {
  status: 'live';
}
