import { Router } from 'express';
import { z } from 'zod';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
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
    // The user looked in the inbox after a release that got no answer, and wants it sent again.
    confirmUnknown: z.boolean().optional(),
  })
  .refine((b) => !(b.allRecipients && b.to), 'give allRecipients or to, not both')
  .default({});

/** POST /api/messages/:id/release and /delete: state changes, so CSRF-checked in front of this router (the batch is in routes/batches.ts). */
export function actionRoutes(deps: { release: ReleaseService; requests: ReleaseRequestService; config: IdentityConfig }): Router {
  const router = Router();
  router.use('/messages', requireUser(deps.config));

  router.post('/messages/:id/release', async (req, res) => {
    const body = parseInput(releaseBody, req.body ?? {});
    const id = String(req.params.id);
    const options = { confirmUnknown: body.confirmUnknown === true };
    if (body.allRecipients) res.json(await deps.release.releaseAsAdmin(userOf(req), id, { allRecipients: true }, options));
    else if (body.to) res.json(await deps.release.releaseAsAdmin(userOf(req), id, { to: body.to }, options));
    else res.json(await deps.release.release(userOf(req), id, options));
  });

  router.post('/messages/:id/delete', async (req, res) => {
    res.json(await deps.release.remove(userOf(req), String(req.params.id)));
  });

  router.post('/messages/:id/purge', async (req, res) => {
    res.json(await deps.release.purge(userOf(req), String(req.params.id)));
  });

  return router;
}
