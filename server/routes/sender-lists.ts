import { Router } from 'express';
import { z } from 'zod';
import { SENDER_LISTS } from '../../shared/sender-lists';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import type { SenderListService } from '../services/sender-lists';
import { parseInput } from '../validation';

const addBody = z.object({
  sender: z.string().trim().min(1).max(300),
  list: z.enum(SENDER_LISTS),
  for: z.string().trim().max(260).optional(),
});

const fromMessageBody = z
  .object({
    scope: z.enum(['address', 'domain']).optional(),
    for: z.literal('domain').optional(),
  })
  .default({});

/**
 * Allow and block lists (amavis's wblist): GET/POST /api/sender-lists, DELETE /api/sender-lists/:id, and
 * POST /api/messages/:id/allow-sender and /block-sender. State changes are CSRF-checked in front of this router.
 */
export function senderListRoutes(deps: { senderLists: SenderListService; config: IdentityConfig }): Router {
  const router = Router();
  router.use(['/sender-lists', '/messages'], requireUser(deps.config));

  router.get('/sender-lists', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.senderLists.list(userOf(req)));
  });

  router.post('/sender-lists', async (req, res) => {
    res.status(201).json(await deps.senderLists.add(userOf(req), parseInput(addBody, req.body ?? {})));
  });

  router.delete('/sender-lists/:id', async (req, res) => {
    res.json(await deps.senderLists.remove(userOf(req), String(req.params.id)));
  });

  for (const list of SENDER_LISTS) {
    router.post(`/messages/:id/${list}-sender`, async (req, res) => {
      const body = parseInput(fromMessageBody, req.body ?? {});
      res.json(await deps.senderLists.fromMessage(userOf(req), String(req.params.id), list, body));
    });
  }

  return router;
}
