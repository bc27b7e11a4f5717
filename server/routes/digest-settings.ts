import { Router } from 'express';
import { z } from 'zod';
import { DIGEST_FREQUENCIES, DIGEST_LANGUAGES } from '../../shared/digest';
import { ROUTES } from '../../shared/routes';
import type { DigestSettingsService } from '../digest/digest-settings';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import { parseInput } from '../validation';

const target = z.string().trim().max(270).optional();
const getQuery = z.object({ for: target });
const putBody = z.object({
  frequency: z.enum(DIGEST_FREQUENCIES).nullable(),
  for: target,
  language: z.enum(DIGEST_LANGUAGES).optional(),
});

/** Digest frequency (and the user's language): GET and PUT /api/digest-settings. PUT is CSRF-checked in front of this router. */
export function digestSettingsRoutes(deps: { digestSettings: DigestSettingsService; config: IdentityConfig }): Router {
  const router = Router();
  router.use(ROUTES.digestSettings, requireUser(deps.config));

  router.get(ROUTES.digestSettings, async (req, res) => {
    const query = parseInput(getQuery, req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.digestSettings.get(userOf(req), query.for));
  });

  router.put(ROUTES.digestSettings, async (req, res) => {
    res.json(await deps.digestSettings.update(userOf(req), parseInput(putBody, req.body ?? {})));
  });

  return router;
}
