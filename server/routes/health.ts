import { Router } from 'express';
import type { LivenessHealth } from '../../shared/health';
import { ROUTES } from '../../shared/routes';
import { presentPublicHealth, presentReadiness } from '../presenters/health';
import type { HealthService } from '../services/health';

/**
 * The public health endpoints, none with detail (the doctor has it), none ever cached by a proxy:
 * - GET /api/health/live: the process serves; it touches no peer, so it is 200 while the event loop runs.
 * - GET /api/health/ready: what a load balancer probes; 503 only when sign-in or listing cannot work.
 * - GET /api/health: every peer, including AM.PDP (releases); 503 when any one is degraded.
 * Both checked answers come from the service's cache, so a slow peer never makes a probe wait.
 */
export function healthRoutes(health: HealthService): Router {
  const router = Router();
  router.get(ROUTES.healthLive, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'live' } satisfies LivenessHealth);
  });
  router.get(ROUTES.healthReady, async (_req, res) => {
    const body = presentReadiness(await health.readiness());
    res.setHeader('Cache-Control', 'no-store');
    res.status(body.status === 'ready' ? 200 : 503).json(body);
  });
  router.get(ROUTES.health, async (_req, res) => {
    const body = presentPublicHealth(await health.cachedChecks());
    res.setHeader('Cache-Control', 'no-store');
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
  return router;
}
