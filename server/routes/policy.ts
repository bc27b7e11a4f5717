import { Router } from 'express';
import { z } from 'zod';
import { POLICY_PRESETS } from '../../shared/policy';
import { ROUTES } from '../../shared/routes';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import type { SpamPolicyService } from '../services/spam-policy';
import { parseInput } from '../validation';

const target = z.string().trim().max(260).optional();

const getQuery = z.object({ for: target });

// Field names and value types are checked by the service (spam-policy-rules), which names the allowed values.
const putBody = z.object({
  for: target,
  preset: z.enum(POLICY_PRESETS).optional(),
  values: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()])).optional(),
});

/** Spam policy (amavis's policy table): GET and PUT /api/policy. PUT is CSRF-checked in front of this router. */
export function policyRoutes(deps: { spamPolicy: SpamPolicyService; config: IdentityConfig }): Router {
  const router = Router();
  router.use(ROUTES.policy, requireUser(deps.config));

  router.get(ROUTES.policy, async (req, res) => {
    const query = parseInput(getQuery, req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.spamPolicy.get(userOf(req), query.for));
  });

  router.put(ROUTES.policy, async (req, res) => {
    res.json(await deps.spamPolicy.update(userOf(req), parseInput(putBody, req.body ?? {})));
  });

  return router;
}
