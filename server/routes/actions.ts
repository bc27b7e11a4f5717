import { Router } from 'express';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import type { ReleaseService } from '../services/release';

/** POST /api/messages/:id/release and /delete: state changes, so CSRF-checked in front of this router. */
export function actionRoutes(deps: { release: ReleaseService; config: IdentityConfig }): Router {
  const router = Router();
  router.use('/messages', requireUser(deps.config));

  router.post('/messages/:id/release', async (req, res) => {
    res.json(await deps.release.release(userOf(req), String(req.params.id)));
  });

  router.post('/messages/:id/delete', async (req, res) => {
    res.json(await deps.release.remove(userOf(req), String(req.params.id)));
  });

  return router;
}
