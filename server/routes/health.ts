import { Router } from 'express';
import { ROUTES } from '../../shared/routes';
import { presentPublicHealth } from '../presenters/health';
import type { HealthService } from '../services/health';

/** GET /api/health: public, ok/degraded per component, no detail (the doctor has the detail). */
export function healthRoutes(health: HealthService): Router {
  const router = Router();
  router.get(ROUTES.health, async (_req, res) => {
    const body = presentPublicHealth(await health.cachedChecks());
    res.setHeader('Cache-Control', 'no-store');
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
  return router;
}
