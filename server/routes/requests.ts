import { Router } from 'express';
import { z } from 'zod';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import type { ReleaseRequestService } from '../services/release-requests';
import { parseInput } from '../validation';

const idParam = z.object({ rid: z.coerce.number().int().positive() });
const listQuery = z.object({ status: z.enum(['pending', 'approved', 'denied', 'cancelled']).default('pending') });
const denyBody = z.object({ note: z.string().trim().max(1000).optional() }).default({});
// The requester's note (why they want the mail) goes into the admins' notification.
const requestBody = z.object({ note: z.string().trim().max(1000).optional() }).default({});

/** Release requests: users ask, admins of the recipient's domain (or super users) decide. */
export function requestRoutes(deps: { requests: ReleaseRequestService; config: IdentityConfig }): Router {
  const router = Router();
  router.use(['/requests', '/messages/:id/request-release'], requireUser(deps.config));

  router.post('/messages/:id/request-release', async (req, res) => {
    const { note } = parseInput(requestBody, req.body ?? {});
    res.status(201).json(await deps.requests.request(userOf(req), String(req.params.id), note));
  });

  router.get('/requests', async (req, res) => {
    const { status } = parseInput(listQuery, req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items: await deps.requests.list(userOf(req), status) });
  });

  router.post('/requests/:rid/cancel', async (req, res) => {
    res.json(await deps.requests.cancel(userOf(req), parseInput(idParam, req.params).rid));
  });

  router.post('/requests/:rid/approve', async (req, res) => {
    res.json(await deps.requests.approve(userOf(req), parseInput(idParam, req.params).rid));
  });

  router.post('/requests/:rid/deny', async (req, res) => {
    const { note } = parseInput(denyBody, req.body ?? {});
    res.json(await deps.requests.deny(userOf(req), parseInput(idParam, req.params).rid, note));
  });

  return router;
}
