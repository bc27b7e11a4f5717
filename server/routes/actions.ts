import { Router } from 'express';
import { z } from 'zod';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import { runBatch } from '../services/batch';
import type { ReleaseRequestService } from '../services/release-requests';
import type { ReleaseService } from '../services/release';
import { parseInput } from '../validation';

const batchSchema = z.object({
  action: z.enum(['release', 'delete', 'request']),
  ids: z.array(z.string().min(1).max(100)).min(1).max(500),
});

/** POST /api/messages/:id/release and /delete: state changes, so CSRF-checked in front of this router. */
export function actionRoutes(deps: { release: ReleaseService; requests: ReleaseRequestService; config: IdentityConfig }): Router {
  const router = Router();
  router.use('/messages', requireUser(deps.config));

  // Before /messages/:id/…, so "batch" is never taken for an id.
  router.post('/messages/batch', async (req, res) => {
    const { action, ids } = parseInput(batchSchema, req.body);
    res.json({ results: await runBatch(deps, userOf(req), action, ids) });
  });

  router.post('/messages/:id/release', async (req, res) => {
    res.json(await deps.release.release(userOf(req), String(req.params.id)));
  });

  router.post('/messages/:id/delete', async (req, res) => {
    res.json(await deps.release.remove(userOf(req), String(req.params.id)));
  });

  router.post('/messages/:id/purge', async (req, res) => {
    res.json(await deps.release.purge(userOf(req), String(req.params.id)));
  });

  return router;
}
