import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import type { AuditLog } from '../services/audit';
import { parseInput } from '../validation';

const date = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date like 2026-11-21 or an ISO timestamp')
  .transform((v) => new Date(v))
  .optional();

const auditQuery = z.object({
  actor: z.string().trim().toLowerCase().max(254).optional(),
  action: z.enum(['view', 'release', 'delete', 'purge', 'request', 'cancel', 'approve', 'deny']).optional(),
  recipient: z.string().trim().toLowerCase().max(254).optional(),
  mail_id: z.string().regex(/^[A-Za-z0-9_+-]{1,16}$/).optional(),
  result: z.enum(['ok', 'failed', 'unknown']).optional(),
  since: date,
  until: date,
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** GET /api/audit: the audit log, for super users. */
export function auditRoutes(deps: { audit: AuditLog; config: IdentityConfig }): Router {
  const router = Router();
  router.get('/audit', requireUser(deps.config), async (req, res) => {
    if (userOf(req).role !== 'super') throw new AppError(403, 'forbidden', 'only super users can read the audit log');
    const q = parseInput(auditQuery, req.query);
    const rows = await deps.audit.list({ ...q, mailId: q.mail_id });
    const last = rows.at(-1);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      items: rows.map((r) => ({
        id: Number(r.id),
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        action: r.action,
        mailId: r.mail_id,
        partitionTag: r.partition_tag,
        rseqnum: r.rseqnum,
        recipient: r.recipient,
        result: r.result,
        smtpCode: r.smtp_code,
        reply: r.reply,
        detail: r.detail,
      })),
      nextBefore: rows.length === q.limit && last ? Number(last.id) : null,
    });
  });
  return router;
}
