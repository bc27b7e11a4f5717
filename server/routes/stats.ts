import { Router } from 'express';
import { z } from 'zod';
import { ROUTES } from '../../shared/routes';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import { MAX_STATS_DAYS, type StatsService } from '../services/stats';
import { parseInput } from '../validation';

const statsQuery = z.object({
  scope: z.enum(['user', 'domain', 'site']).default('user'),
  days: z.coerce.number().int().min(1).max(MAX_STATS_DAYS).default(30),
  domain: z.string().trim().min(1).max(253).optional(),
});

/** GET /api/stats: per-day counts by type, totals and rates from the rollup; top senders and recipients for admins. */
export function statsRoutes(deps: { stats: StatsService; config: IdentityConfig }): Router {
  const router = Router();
  router.get(ROUTES.stats, requireUser(deps.config), async (req, res) => {
    const query = parseInput(statsQuery, req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.stats.get(userOf(req), query));
  });
  return router;
}
