import { Router } from 'express';
import { z } from 'zod';
import { BATCH_ACTIONS } from '../../shared/actions';
import type { BatchResponse } from '../../shared/release';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import { runBatch } from '../services/batch';
import type { ReleaseRequestService } from '../services/release-requests';
import type { ReleaseService } from '../services/release';
import { parseInput } from '../validation';

// An admin's explicit choice, logged: every blocked recipient, or another address.
const releaseBody = z
  .object({
    allRecipients: z.literal(true).optional(),
    to: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an e-mail address')
      .optional(),
  })
  .refine((b) => !(b.allRecipients && b.to), 'give allRecipients or to, not both')
  .default({});

const batchSchema = z.object({
  action: z.enum(BATCH_ACTIONS),
  ids: z.array(z.string().min(1).max(100)).min(1).max(500),
});

/** POST /api/messages/:id/release and /delete: state changes, so CSRF-checked in front of this router. */
export function actionRoutes(deps: { release: ReleaseService; requests: ReleaseRequestService; config: IdentityConfig }): Router {
  const router = Router();
  router.use('/messages', requireUser(deps.config));

  // Before /messages/:id/…, so "batch" is never taken for an id.
  router.post('/messages/batch', async (req, res) => {
    const { action, ids } = parseInput(batchSchema, req.body);
    const body: BatchResponse = { results: await runBatch(deps, userOf(req), action, ids) };
    res.json(body);
  });

  router.post('/messages/:id/release', async (req, res) => {
    const body = parseInput(releaseBody, req.body ?? {});
    const id = String(req.params.id);
    if (body.allRecipients) res.json(await deps.release.releaseAsAdmin(userOf(req), id, { allRecipients: true }));
    else if (body.to) res.json(await deps.release.releaseAsAdmin(userOf(req), id, { to: body.to }));
    else res.json(await deps.release.release(userOf(req), id));
  });

  router.post('/messages/:id/delete', async (req, res) => {
    res.json(await deps.release.remove(userOf(req), String(req.params.id)));
  });

  router.post('/messages/:id/purge', async (req, res) => {
    res.json(await deps.release.purge(userOf(req), String(req.params.id)));
  });

  return router;
}
