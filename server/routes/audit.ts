import { Router } from 'express';
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_RESULTS, type AuditListResponse } from '../../shared/audit';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import type { AuditService } from '../services/audit';
import { parseInput } from '../validation';

const date = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date like 2026-11-21 or an ISO timestamp')
  .transform((v) => new Date(v))
  .optional();

const auditQuery = z.object({
  actor: z.string().trim().toLowerCase().max(254).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  recipient: z.string().trim().toLowerCase().max(254).optional(),
  mail_id: z
    .string()
    .regex(/^[A-Za-z0-9_+-]{1,16}$/)
    .optional(),
  result: z.enum(AUDIT_RESULTS).optional(),
  since: date,
  until: date,
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** GET /api/audit: the audit log, for super users. */
export function auditRoutes(deps: { audit: AuditService; config: IdentityConfig }): Router {
  const router = Router();
  router.get('/audit', requireUser(deps.config), async (req, res) => {
    const q = parseInput(auditQuery, req.query);
    const items = await deps.audit.list(userOf(req), { ...q, mailId: q.mail_id });
    const last = items.at(-1);
    const body: AuditListResponse = { items, nextBefore: items.length === q.limit && last ? last.id : null };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });
  return router;
}
