import { Router } from 'express';
import { z } from 'zod';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import type { LearningService } from '../services/learning';
import { parseInput } from '../validation';

const learnBody = z.object({ as: z.enum(['spam', 'ham']) });

/** POST /api/messages/:id/learn and /not-spam; state changes, so CSRF-checked in front of this router. */
export function learningRoutes(deps: { learning: LearningService; config: IdentityConfig }): Router {
  const router = Router();
  router.use('/messages', requireUser(deps.config));

  router.post('/messages/:id/learn', async (req, res) => {
    const { as } = parseInput(learnBody, req.body ?? {});
    res.json(await deps.learning.learn(userOf(req), String(req.params.id), as));
  });

  router.post('/messages/:id/not-spam', async (req, res) => {
    const result = await deps.learning.notSpam(userOf(req), String(req.params.id));
    // 207: the answer holds each step's outcome, and not all of them worked.
    res.status(result.steps.some((s) => s.status === 'failed') ? 207 : 200).json(result);
  });

  return router;
}
