import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { AppError } from '../errors';
import type { SelfService } from '../services/self-service';
import { parseInput } from '../validation';

const link = {
  mail_id: z.string().regex(/^[A-Za-z0-9_+-]{1,16}$/, 'is not an amavis mail_id'),
  secret_id: z.string().regex(/^[A-Za-z0-9_+-]{1,16}$/, 'is not an amavis secret_id'),
  rcpt: z
    .string()
    .trim()
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address'),
  partition_tag: z.coerce.number().int().optional(),
};
const viewQuery = z.object(link);
const actBody = z.object({ ...link, action: z.enum(['release', 'delete', 'request']) });

/** GET/POST /api/self-service: one message, one recipient, proven by the secret_id. Off by default. */
export function selfServiceRoutes(deps: { selfService: SelfService; enabled: boolean }): Router {
  const router = Router();
  // Guessing secrets must be slow: few attempts per address, whatever the answer.
  const limit = rateLimit({
    windowMs: 60_000,
    limit: 30,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new AppError(429, 'too_many_attempts', 'too many requests; try again in a minute')),
  });
  router.use('/self-service', (_req, _res, next) => next(deps.enabled ? undefined : new AppError(404, 'not_found', 'self-service links are not enabled here')), limit);

  router.get('/self-service', async (req, res) => {
    const q = parseInput(viewQuery, req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.json(await deps.selfService.view({ mailId: q.mail_id, secretId: q.secret_id, recipient: q.rcpt, partitionTag: q.partition_tag }));
  });

  router.post('/self-service', async (req, res) => {
    const b = parseInput(actBody, req.body);
    res.json(await deps.selfService.act({ mailId: b.mail_id, secretId: b.secret_id, recipient: b.rcpt, partitionTag: b.partition_tag }, b.action));
  });
  return router;
}
